// struct iommu_device plus the IOMMU driver's per-instance data: one per IOMMU node
// of the board, whether or not its driver has registered it yet.

import type { BoardIommu } from '../types.js';
import type { Device } from '../core/device.js';
import type { IommuDriverImpl } from './driver-impl.js';
import { COPY, copyData, type CopyMap } from '../snapshot.js';

/** no board option: one frozen empty list, shared by every instance and its snapshot copies */
const NO_NAMES: readonly string[] = Object.freeze([]);

export class IommuInstance {
  /** its own platform device (undefined when the node is disabled: never populated) */
  dev: Device | undefined;
  /** on iommu_device_list: iommu_ops_from_fwnode() finds it */
  registered = false;
  /** the driver's private per-instance state (what platform_get_drvdata returns once set) */
  drvdata: Record<string, unknown> | null = null;
  /** the driver's working state while probing, before it publishes drvdata */
  readonly state: Record<string, unknown> = {};
  /** inside iommu_device_register()'s own bus walk */
  walking = false;
  /** the name's number in state-key.ts's table (0 until a state key asks), kept by a snapshot's copy */
  keyId = 0;
  /** clients another CPU probes while this instance's probe is in its window (board option) */
  readonly concurrentProbe: readonly string[];
  /** clients another CPU probes while this instance's registration is still walking the buses (board option) */
  readonly probeDuringWalk: readonly string[];
  /** the clients the SoC's tables allow (`allowlist` option; IPMMU), read at every probe of a client */
  readonly allowlist: readonly string[] | undefined;
  /** the root instance of a cache IPMMU (`main` option), read at every registration */
  readonly main: string | undefined;

  constructor(
    readonly node: BoardIommu,
    readonly impl: IommuDriverImpl,
    /** a snapshot's copy ([COPY]): the board options it read are the original's */
    copyOf?: IommuInstance,
  ) {
    this.concurrentProbe = copyOf ? copyOf.concurrentProbe : ((node.options['concurrent-probe'] as string[] | undefined) ?? NO_NAMES);
    this.probeDuringWalk = copyOf ? copyOf.probeDuringWalk : ((node.options['probe-during-walk'] as string[] | undefined) ?? NO_NAMES);
    // an options object's shape is its board's: read once here, not at every lookup
    this.allowlist = copyOf ? copyOf.allowlist : (node.options['allowlist'] as string[] | undefined);
    this.main = copyOf ? copyOf.main : (node.options['main'] as string | undefined);
  }

  [COPY](m: CopyMap): IommuInstance {
    const c = m.set(this, new IommuInstance(this.node, this.impl, this));
    c.dev = m.of(this.dev);
    c.registered = this.registered;
    c.drvdata = copyData(this.drvdata, m);
    // the working state in place: the copy's own object stands for this one's
    m.set(this.state, c.state);
    for (const key in this.state) {
      const v = this.state[key];
      c.state[key] = v !== null && typeof v === 'object' ? m.of(v) : v;
    }
    c.walking = this.walking;
    c.keyId = this.keyId;
    return c;
  }

  get name(): string {
    return this.node.name;
  }

  get available(): boolean {
    return this.node.status === 'okay';
  }

  option<T>(key: string): T | undefined {
    return this.node.options[key] as T | undefined;
  }
}
