// struct device_driver: a client driver from the board (its probe/remove are the
// board's action lists) or an IOMMU driver from the catalog.

import type { BoardDriver, BusName, Initcall } from '../types.js';
import type { IommuDriverImpl } from '../iommu/driver-impl.js';
import { COPY, type CopyMap } from '../snapshot.js';
import { Memo } from '../kernel/memo.js';

export class Driver {
  registered = false;
  /** the name's number in state-key.ts's table (0 until a state key asks), kept by a snapshot's copy */
  keyId = 0;
  /** the order in which registration happened (for bus_for_each_drv) */
  constructor(
    readonly name: string,
    readonly bus: BusName,
    readonly initcall: Initcall,
    readonly client: BoardDriver | undefined,
    readonly iommuImpl: IommuDriverImpl | undefined,
  ) {}

  [COPY](m: CopyMap): Driver {
    const c = m.set(this, new Driver(this.name, this.bus, this.initcall, this.client, this.iommuImpl));
    c.registered = this.registered;
    c.keyId = this.keyId;
    return c;
  }

  get async(): boolean {
    return this.client?.async ?? false;
  }

  get driverManagedDma(): boolean {
    return this.client?.driverManagedDma ?? false;
  }

  /** the init function do_one_initcall calls, as a trace shows it */
  get initFn(): string {
    return this.iommuImpl?.initFn ?? this.client?.initFn ?? INIT_FN.get(this.name);
  }
}

// "<name>_driver_init", made once per driver name (every boot's initcall frames ask)
const INIT_FN = new Memo((name: string) => `${name.replace(/[-.]/g, '_')}_driver_init`);

