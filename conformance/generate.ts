// The differential scenarios of one QEMU board, generated from its board file (issue #18):
// boot; unbind/bind, double unbind and bind-while-bound of every device; the test driver's
// probe failing after each of its actions with each errno, through sysfs bind and through
// driver registration; `times`; module unload/reload and boot-time holds of every modular
// driver; late IOMMU registration where the board's IOMMU driver is a module; deferral of
// the consumer test driver on its supplier (bind, failure, unbind of the supplier, the
// deferred-probe timeout); PCI hot-unplug and rescan of every device.
//
// Expectations state what today's kernel does (drivers/base/dd.c, bus.c and core.c as of
// v6.12..v7.x), not what the model prints: both targets are judged against them, and an older
// kernel that behaves differently fails them on both targets when the model's era is right.
// Log patterns are written to hold across eras where only the wording changed (the
// probe-failure message), so the verdict is about behaviour and the lines show the wording.

import { stringify } from 'yaml';
import type { BoardDevice, BoardDriver, ModelBoard } from '../runner/model/types.js';

/** The errnos a probe of the test driver returns (EXPLORE.md's fault set and the silent ones). */
export const FAIL_ERRNOS = ['-ENOMEM', '-EIO', '-EINVAL', '-EBUSY', '-ETIMEDOUT', '-ENODEV', '-ENXIO', '-EPROBE_DEFER'] as const;
/** call_driver_probe(): these are "rejects match" (dev_dbg), not "failed with error" */
const SILENT = new Set(['-ENODEV', '-ENXIO']);
const ERRNO_NUM: Record<string, number> = { '-ENOMEM': -12, '-EIO': -5, '-EINVAL': -22, '-EBUSY': -16, '-ETIMEDOUT': -110, '-ENODEV': -19, '-ENXIO': -6, '-EPROBE_DEFER': -517 };

type Obj = Record<string, unknown>;

export interface GeneratedSuite {
  id: string;
  scenarios: Obj[];
  yaml: string;
}

interface BoardFacts {
  board: ModelBoard;
  iommu: { name: string; driver: string } | undefined;
  /** x86 IOMMUs have no fwspec: every PCI function sits behind them */
  fwspecless: boolean;
  clients: BoardDevice[];
  drivers: Map<string, BoardDriver>;
  test?: { dev: BoardDevice; drv: BoardDriver };
  waiter?: { dev: BoardDevice; drv: BoardDriver; supplier: string };
  /** a client that is neither the test device, the waiter nor its supplier: bind/unbind of it triggers deferred probe */
  trigger?: BoardDevice;
}

const MODULAR_IOMMUS = new Set(['virtio-iommu']);

function facts(board: ModelBoard): BoardFacts {
  const io = board.iommus.find((i) => i.status !== 'disabled');
  const drivers = new Map(board.drivers.map((d) => [d.name, d]));
  const clients = board.devices.filter((d) => d.driver && d.present && d.status !== 'disabled' && drivers.has(d.driver));
  const f: BoardFacts = {
    board,
    iommu: io ? { name: io.name, driver: io.driver } : undefined,
    fwspecless: io ? io.driver === 'intel-iommu' || io.driver === 'amd-iommu' : false,
    clients,
    drivers,
  };
  const t = clients.find((d) => d.driver === 'probetest');
  if (t) f.test = { dev: t, drv: drivers.get('probetest')! };
  for (const d of clients) {
    const drv = drivers.get(d.driver!)!;
    const w = drv.probe.find((a) => a.kind === 'wait-for');
    if (w && w.kind === 'wait-for') f.waiter = { dev: d, drv, supplier: w.device };
  }
  f.trigger = clients.find((d) => d !== f.test?.dev && d !== f.waiter?.dev && d.name !== f.waiter?.supplier && d.driver === 'e1000e') ??
    clients.find((d) => d !== f.test?.dev && d !== f.waiter?.dev && d.name !== f.waiter?.supplier);
  return f;
}

function grouped(f: BoardFacts, d: BoardDevice): boolean {
  if (!f.iommu) return false;
  return f.fwspecless ? d.bus === 'pci' : d.iommus.some((r) => r.iommu === f.iommu!.name);
}

function logsOf(drv: BoardDriver, which: 'probe' | 'remove'): string[] {
  return drv[which].flatMap((a) => (a.kind === 'log' ? [a.text] : []));
}

/** the probe-failure line of every era: "<drv>: probe of <dev> failed with error N" (<= v5.x) or "<drv> <dev>: probe with driver <drv> failed with error N" */
function failLine(dev: BoardDevice, drv: string, errno: string): Obj {
  const esc = dev.name.replace(/\./g, '\\.');
  return { regex: `(${drv}: probe of ${esc}|${esc}: probe with driver ${drv}) failed with error ${ERRNO_NUM[errno]}$` };
}

/** the state of a device that is bound and, behind the IOMMU, translated */
function boundState(f: BoardFacts, d: BoardDevice): Obj {
  const s: Obj = { device: d.name, bound: true, driver: d.driver, deferred: false };
  if (grouped(f, d)) s['dma-ops'] = 'iommu';
  return s;
}

function unboundState(d: BoardDevice, deferred = false): Obj {
  return { device: d.name, bound: false, deferred };
}

const slug = (d: BoardDevice) => `${(d.driver ?? 'none').replace(/_/g, '-')}-${d.name.replace(/^0000:00:/, '').replace(/[:.]/g, '-')}`;
const errSlug = (e: string) => e.replace(/^-E/, '').toLowerCase().replace(/_/g, '-');

export function generate(board: ModelBoard, suiteId: string): GeneratedSuite {
  const f = facts(board);
  const sc: Obj[] = [];
  // every boot is followed by a state-only expect: it closes the boot's log window, so later
  // windows hold only what the scenario's own steps print, and the run may start on a reused
  // guest (runner/exec/targets/qemu/pool.ts)
  const closeBoot = (steps: unknown[]): unknown[] => {
    const out: unknown[] = [];
    steps.forEach((st, i) => {
      out.push(st);
      const isBoot = st === 'boot' || (typeof st === 'object' && st !== null && 'boot' in st);
      const next = steps[i + 1];
      const nextIsExpect = typeof next === 'object' && next !== null && 'expect' in next;
      if (isBoot && !nextIsExpect) out.push({ expect: { state: f.iommu ? [{ iommu: f.iommu.name, registered: !(typeof st === 'object' && JSON.stringify(st).includes(f.iommu.driver)) }] : [{ tainted: '' }] } });
    });
    return out;
  };
  const add = (name: string, description: string, steps: unknown[], extra: Obj = {}) => sc.push({ name, description, steps: extra['expect'] ? steps : closeBoot(steps), ...extra });
  const bootState = (): Obj[] => f.clients.map((d) => boundState(f, d));

  // ---- boot (a fresh guest: its expect reads the boot's own log)
  {
    const groupedClients = f.clients.filter((d) => grouped(f, d));
    const expect: Obj = {
      'log-unordered': [
        ...groupedClients.map((d) => `${d.name}: Adding to iommu group`),
        ...f.clients.flatMap((d) => logsOf(f.drivers.get(d.driver!)!, 'probe').map((t) => `${d.name}: ${t}`)),
      ],
      // every function the IOMMU groups (the machine's own included) is an asserted line
      count: [{ pattern: { regex: ': Adding to iommu group \\d+$' }, 'at-least': groupedClients.length }],
      'no-log': ['failed with error', 'deferred probe pending'],
      state: [...(f.iommu ? [{ iommu: f.iommu.name, registered: true }] : []), ...bootState(), { tainted: '' }],
    };
    add('boot', 'every client binds and, behind the IOMMU, joins a group of its own', ['boot'], { expect });
  }

  // ---- unbind / bind of every device
  for (const d of f.clients) {
    const drv = f.drivers.get(d.driver!)!;
    const consumerOf = f.waiter && f.waiter.supplier === d.name ? f.waiter : undefined;
    const afterUnbind: Obj = { state: [unboundState(d), { errno: 0 }] };
    const removeLogs = logsOf(drv, 'remove').map((t) => `${d.name}: ${t}`);
    if (consumerOf) {
      // the consumer's device link: unbinding the supplier unbinds the consumer first
      removeLogs.unshift(...logsOf(consumerOf.drv, 'remove').map((t) => `${consumerOf.dev.name}: ${t}`));
      (afterUnbind['state'] as Obj[]).push(unboundState(consumerOf.dev));
    }
    if (removeLogs.length) afterUnbind['log'] = removeLogs;
    const afterBind: Obj = {
      'no-log': ['failed with error', 'Adding to iommu group'],
      state: [boundState(f, d), { errno: 0 }],
    };
    const probeLogs = logsOf(drv, 'probe').map((t) => `${d.name}: ${t}`);
    if (probeLogs.length) afterBind['log'] = probeLogs;
    if (consumerOf) (afterBind['state'] as Obj[]).push(unboundState(consumerOf.dev));
    add(`unbind-bind-${slug(d)}`, `sysfs unbind then bind of ${d.name} (${d.driver}): it binds again in the group it kept`, [
      'boot',
      { expect: { state: [boundState(f, d)] } },
      { unbind: d.name },
      { expect: afterUnbind },
      { bind: d.name },
      { expect: afterBind },
    ]);
  }
  for (const d of f.clients) {
    add(`unbind-twice-${slug(d)}`, `a second sysfs unbind of ${d.name} finds no driver: -ENODEV (unbind_store)`, [
      'boot',
      { expect: { state: [boundState(f, d)] } },
      { unbind: d.name },
      { expect: { state: [unboundState(d), { errno: 0 }] } },
      { unbind: d.name },
      { expect: { state: [unboundState(d), { errno: '-ENODEV' }] } },
    ]);
  }
  for (const d of f.clients) {
    add(`bind-bound-${slug(d)}`, `sysfs bind of the already bound ${d.name}: -EBUSY (__driver_probe_device, v5.14+), the device stays bound`, [
      'boot',
      { expect: { state: [boundState(f, d)] } },
      { bind: d.name },
      { expect: { 'no-log': ['failed with error'], state: [boundState(f, d), { errno: '-EBUSY' }] } },
    ]);
  }

  // ---- the test driver's probe fails after each action, with each errno
  if (f.test) {
    const { dev, drv } = f.test;
    const n = drv.probe.length;
    const probed = logsOf(drv, 'probe').map((t) => `${dev.name}: ${t}`);
    for (const path of ['bind', 'load'] as const) {
      for (const e of FAIL_ERRNOS) {
        for (let at = 0; at <= n; at++) {
          const failed: Obj = { state: [] as Obj[] };
          const st = failed['state'] as Obj[];
          // the log action ran before the failure only when the fault fires after it
          const logRan = drv.probe.slice(0, at).some((a) => a.kind === 'log');
          if (logRan && probed.length) failed['log'] = [...probed];
          else if (probed.length) failed['no-log'] = [...probed];
          if (SILENT.has(e) || e === '-EPROBE_DEFER') failed['no-log'] = [...((failed['no-log'] as unknown[]) ?? []), 'failed with error'];
          else failed['log'] = [...((failed['log'] as unknown[]) ?? []), failLine(dev, drv.name, e)];
          const steps: unknown[] = ['boot', { expect: { state: [boundState(f, dev)] } }];
          if (path === 'bind') {
            // bind_store → device_driver_attach: the probe's error, -EPROBE_DEFER as -EAGAIN, never queued
            st.push(unboundState(dev, false), { errno: e === '-EPROBE_DEFER' ? '-EAGAIN' : e });
            steps.push({ unbind: dev.name }, { 'fail-probe': { device: dev.name, error: e, at } }, { bind: dev.name }, { expect: failed });
            steps.push({ bind: dev.name }, { expect: { log: probed, state: [boundState(f, dev), { errno: 0 }] } });
          } else {
            // driver_register → __driver_attach: -EPROBE_DEFER queues the device, anything else leaves it unbound
            st.push(unboundState(dev, e === '-EPROBE_DEFER'));
            steps.push({ 'unload-module': drv.name }, { 'fail-probe': { device: dev.name, error: e, at } }, { 'load-module': drv.name }, { expect: failed });
            if (e === '-EPROBE_DEFER' && f.trigger) {
              // any later successful bind retries the deferred list (driver_bound → driver_deferred_probe_trigger)
              steps.push({ unbind: f.trigger.name }, { bind: f.trigger.name }, { expect: { log: probed, state: [boundState(f, dev), boundState(f, f.trigger)] } });
            } else {
              steps.push({ bind: dev.name }, { expect: { log: probed, state: [boundState(f, dev), { errno: 0 }] } });
            }
          }
          add(`fail-${path}-${errSlug(e)}-at${at}`, `${drv.name}'s probe fails with ${e} after ${at} of its ${n} actions, started by ${path === 'bind' ? 'sysfs bind' : 'loading the module'}`, steps);
        }
      }
    }
    // times: the fault stays armed for several probes
    add('fail-bind-eio-times2', 'a fault armed for two probes fails two sysfs binds, the third binds', [
      'boot',
      { unbind: dev.name },
      { 'fail-probe': { device: dev.name, error: '-EIO', times: 2 } },
      { bind: dev.name },
      { expect: { log: [failLine(dev, drv.name, '-EIO')], state: [unboundState(dev), { errno: '-EIO' }] } },
      { bind: dev.name },
      { expect: { log: [failLine(dev, drv.name, '-EIO')], state: [unboundState(dev), { errno: '-EIO' }] } },
      { bind: dev.name },
      { expect: { log: probed, state: [boundState(f, dev), { errno: 0 }] } },
    ]);
    if (f.trigger) {
      const t = f.trigger;
      add('fail-load-defer-times2', 'a device deferring twice stays on the deferred list through one retry and binds at the next', [
        'boot',
        { 'unload-module': drv.name },
        { 'fail-probe': { device: dev.name, error: '-EPROBE_DEFER', times: 2, at: 0 } },
        { 'load-module': drv.name },
        { expect: { 'no-log': ['failed with error', ...probed], state: [unboundState(dev, true)] } },
        { unbind: t.name },
        { bind: t.name },
        { expect: { 'no-log': ['failed with error', ...probed], state: [unboundState(dev, true), boundState(f, t)] } },
        { unbind: t.name },
        { bind: t.name },
        { expect: { log: probed, state: [boundState(f, dev), boundState(f, t)] } },
      ]);
      add('fail-before-boot-defer', 'a fault armed before boot defers the device at its driver\'s registration; the next bind of another device retries it', [
        { 'fail-probe': { device: dev.name, error: '-EPROBE_DEFER', at: 0 } },
        'boot',
        { expect: { state: [unboundState(dev, true)] } },
        { unbind: t.name },
        { bind: t.name },
        { expect: { log: probed, state: [boundState(f, dev), boundState(f, t)] } },
      ]);
    }
    add('fail-before-boot-enomem', 'a fault armed before boot fails the probe at registration; the device stays unbound, off the deferred list', [
      { 'fail-probe': { device: dev.name, error: '-ENOMEM', at: 0 } },
      'boot',
      { expect: { log: [failLine(dev, drv.name, '-ENOMEM')], state: [unboundState(dev, false)] } },
      { bind: dev.name },
      { expect: { log: probed, state: [boundState(f, dev), { errno: 0 }] } },
    ]);
  }

  // ---- modular drivers: unload/reload, and held at boot then loaded
  const modular = [...f.drivers.values()].filter((d) => d.initcall === 'module');
  for (const drv of modular) {
    const devs = f.clients.filter((d) => d.driver === drv.name);
    if (!devs.length) continue;
    const consumers = f.waiter && devs.some((d) => d.name === f.waiter!.supplier) ? [f.waiter.dev] : [];
    const removed = [...consumers.flatMap((c) => logsOf(f.waiter!.drv, 'remove').map((t) => `${c.name}: ${t}`)), ...devs.flatMap((d) => logsOf(drv, 'remove').map((t) => `${d.name}: ${t}`))];
    const probedLogs = devs.flatMap((d) => logsOf(drv, 'probe').map((t) => `${d.name}: ${t}`));
    add(`module-reload-${drv.name}`, `unloading ${drv.name} unbinds its devices, loading it again binds them in the groups they kept`, [
      'boot',
      { expect: { state: devs.map((d) => boundState(f, d)) } },
      { 'unload-module': drv.name },
      { expect: { ...(removed.length ? { log: removed } : {}), state: [...devs.map((d) => unboundState(d)), ...consumers.map((c) => unboundState(c))] } },
      { 'load-module': drv.name },
      { expect: { ...(probedLogs.length ? { log: probedLogs } : {}), 'no-log': ['Adding to iommu group', 'failed with error'], state: devs.map((d) => boundState(f, d)) } },
    ]);
    const waiting = f.waiter && devs.some((d) => d.name === f.waiter!.supplier) ? f.waiter : undefined;
    add(`module-held-${drv.name}`, `${drv.name} held at boot: its devices wait unbound${waiting ? ` (and ${waiting.dev.name} on the deferred list)` : ''}; loading it binds them`, [
      { boot: { hold: [drv.name] } },
      { expect: { state: [...devs.map((d) => unboundState(d, false)), ...(waiting ? [unboundState(waiting.dev, true)] : [])] } },
      { 'load-module': drv.name },
      {
        expect: {
          ...(probedLogs.length || waiting ? { log: [...probedLogs, ...(waiting ? logsOf(waiting.drv, 'probe').map((t) => `${waiting.dev.name}: ${t}`) : [])] } : {}),
          'no-log': ['failed with error'],
          state: [...devs.map((d) => boundState(f, d)), ...(waiting ? [boundState(f, waiting.dev)] : [])],
        },
      },
    ]);
  }

  // ---- deferral on a supplier (the consumer test driver)
  if (f.waiter && f.test && f.waiter.supplier === f.test.dev.name) {
    const w = f.waiter;
    const s = f.test.dev;
    const ready = logsOf(w.drv, 'probe').map((t) => `${w.dev.name}: ${t}`);
    add('defer-supplier-unbound', `${w.drv.name} registered while its supplier is unbound defers; binding the supplier retries it`, [
      'boot',
      { 'unload-module': w.drv.name },
      { unbind: s.name },
      { 'load-module': w.drv.name },
      { expect: { 'no-log': ready, state: [unboundState(w.dev, true), unboundState(s)] } },
      { bind: s.name },
      { expect: { log: ready, state: [boundState(f, w.dev), boundState(f, s)] } },
    ]);
    add('defer-supplier-fails', 'the consumer stays deferred while its supplier\'s probe fails, and binds once the supplier does', [
      'boot',
      { 'unload-module': w.drv.name },
      { unbind: s.name },
      { 'load-module': w.drv.name },
      { 'fail-probe': { device: s.name, error: '-EIO' } },
      { bind: s.name },
      { expect: { log: [failLine(s, f.test.drv.name, '-EIO')], 'no-log': ready, state: [unboundState(w.dev, true), unboundState(s), { errno: '-EIO' }] } },
      { bind: s.name },
      { expect: { log: ready, state: [boundState(f, w.dev), boundState(f, s), { errno: 0 }] } },
    ]);
    add('defer-other-bind-retries', 'a bind of an unrelated device retries the deferred consumer, which defers again while its supplier is unbound', [
      'boot',
      { 'unload-module': w.drv.name },
      { unbind: s.name },
      { 'load-module': w.drv.name },
      ...(f.trigger ? [{ unbind: f.trigger.name }, { bind: f.trigger.name }] : []),
      { expect: { 'no-log': ready, state: [unboundState(w.dev, true)] } },
      { bind: s.name },
      { expect: { log: ready, state: [boundState(f, w.dev)] } },
    ]);
    add('defer-consumer-unbound-with-supplier', 'unbinding the supplier unbinds the linked consumer first; binding the supplier again does not rebind it', [
      'boot',
      { expect: { state: [boundState(f, w.dev), boundState(f, s)] } },
      { unbind: s.name },
      { expect: { log: [...logsOf(w.drv, 'remove').map((t) => `${w.dev.name}: ${t}`), ...logsOf(f.test.drv, 'remove').map((t) => `${s.name}: ${t}`)], state: [unboundState(w.dev), unboundState(s)] } },
      { bind: s.name },
      { expect: { 'no-log': ready, state: [unboundState(w.dev), boundState(f, s)] } },
      { bind: w.dev.name },
      { expect: { log: ready, state: [boundState(f, w.dev), { errno: 0 }] } },
    ]);
    add('defer-timeout', 'the deferred-probe timeout reports the consumer still waiting; its supplier arriving later still binds it', [
      { boot: { hold: [f.test.drv.name] } },
      { expect: { state: [unboundState(w.dev, true)] } },
      'deferred-timeout',
      { expect: { log: [`${w.dev.name}: deferred probe pending`], state: [unboundState(w.dev, true)] } },
      { 'load-module': f.test.drv.name },
      { expect: { log: ready, state: [boundState(f, w.dev), boundState(f, s)] } },
    ]);
  }

  // ---- late IOMMU registration, where the IOMMU driver is a module
  if (f.iommu && MODULAR_IOMMUS.has(f.iommu.driver)) {
    const io = f.iommu;
    const behind = f.clients.filter((d) => grouped(f, d));
    add('late-iommu', 'the clients exist and wait for the IOMMU; its registration groups and binds them all', [
      { boot: { hold: [io.driver] } },
      { expect: { state: [{ iommu: io.name, registered: false }, ...behind.map((d) => ({ device: d.name, bound: false, deferred: true, group: 'none' }))] } },
      { 'register-iommu-late': io.name },
      { expect: { 'log-unordered': behind.map((d) => `${d.name}: Adding to iommu group`), 'no-log': ['failed with error'], state: [{ iommu: io.name, registered: true }, ...behind.map((d) => boundState(f, d))] } },
    ]);
    const held = modular.find((d) => d.name === 'e1000e') ?? modular[0];
    if (held) {
      const devs = f.clients.filter((d) => d.driver === held.name);
      add(`late-iommu-then-${held.name}`, `late IOMMU registration with ${held.name} also held: its device gets its group only when its driver probes`, [
        { boot: { hold: [io.driver, held.name] } },
        { 'register-iommu-late': io.name },
        { expect: { state: devs.map((d) => ({ device: d.name, bound: false, deferred: false })) } },
        { 'load-module': held.name },
        { expect: { 'no-log': ['failed with error'], state: devs.map((d) => boundState(f, d)) } },
      ]);
    }
    // checks: off — a client bound without IOMMU ops while its IOMMU is registered is what this
    // scenario is about, and what the built-in no-iommu-ops check would report
    add('late-iommu-after-timeout', 'an IOMMU that registers after the deferred-probe timeout: the clients gave up on it and bound without translation', [
      { boot: { hold: [io.driver] } },
      'deferred-timeout',
      { expect: { log: behind.map((d) => `${d.name}: deferred probe timeout, ignoring dependency`), state: behind.map((d) => ({ device: d.name, bound: true, group: 'none', 'dma-ops': 'direct' })) } },
      { 'register-iommu-late': io.name },
      { expect: { state: [{ iommu: io.name, registered: true }, ...behind.map((d) => ({ device: d.name, bound: true, 'dma-ops': 'direct' }))] } },
    ], { checks: 'off' });
  }

  // ---- PCI hot-unplug and rescan of every device
  for (const d of f.clients) {
    const drv = f.drivers.get(d.driver!)!;
    const consumerOf = f.waiter && f.waiter.supplier === d.name ? f.waiter : undefined;
    const probed = logsOf(drv, 'probe').map((t) => `${d.name}: ${t}`);
    add(`hotplug-${slug(d)}`, `removing ${d.name} releases its group; a rescan adds it back, grouped and bound again`, [
      'boot',
      { expect: { state: [boundState(f, d)] } },
      { 'remove-device': d.name },
      { expect: { state: [{ device: d.name, bound: false }, ...(consumerOf ? [unboundState(consumerOf.dev)] : [])] } },
      { 'add-device': d.name },
      {
        expect: {
          log: [...(grouped(f, d) ? [`${d.name}: Adding to iommu group`] : []), ...probed],
          'no-log': ['failed with error'],
          state: [boundState(f, d)],
        },
      },
    ]);
  }

  const doc = {
    suite: suiteId,
    description: `differential scenarios for ${board.id}, generated by conformance/generate.ts (issue #18)`,
    reference: ['../scripts/qemu/README.md'],
    boards: [board.id],
    // no kernels: the newest profile by default; the conformance runner picks each line's own
    scenarios: sc,
  };
  const header = '# yaml-language-server: $schema=../dsl-schema/suite.schema.json\n# GENERATED by `npm run conformance -- --generate` from the board file: do not edit.\n';
  return { id: suiteId, scenarios: sc, yaml: header + stringify(doc, { lineWidth: 0 }) };
}
