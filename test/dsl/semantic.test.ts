import { expect } from 'chai';
import { PROFILES } from '../../runner/model/profiles/profiles.js';
import { boardErrors, BOARD_HEADER, EVB, load, suiteErrors, tree, brief, SUITE_HEADER } from './helpers.js';

const HEAD = `suite: s
boards: [evb]
scenarios:
  - name: one
    steps:
      - boot
`;

describe('dsl/semantic checks', () => {
  describe('boards', () => {
    it('accepts the helper board', () => {
      expect(boardErrors('evb', EVB)).to.deep.equal([]);
    });

    it('board id equals the file name', () => {
      expect(boardErrors('evb2', EVB)).to.deep.equal(['boards/evb2.yaml:2:8: board id "evb" does not match the file name (expected "evb2")']);
    });

    it('each driver has its own options: mtk-iommu larbs name devices', () => {
      const body = `${BOARD_HEADER}board: m
model: M
arch: arm64
firmware: dt
memory: [{ base: 0, size: 1 }]
iommus:
  - { name: 10205000.iommu, driver: mtk-iommu, options: { larbs: [14017000.larb, 1601000.larb] } }
  - { name: virt, driver: virtio-iommu, options: { larbs: [14017000.larb] } }
devices:
  - { name: 14017000.larb }
  - { name: 16010000.larb }
`;
      expect(boardErrors('m', body)).to.deep.equal([
        'boards/m.yaml:8:82: unknown device "1601000.larb" (did you mean "16010000.larb"?)',
        'boards/m.yaml:9:52: option "larbs" applies to mtk-iommu only, not virtio-iommu',
      ]);
    });

    it('names are unique, references resolve, options fit the driver', () => {
      const body = `${BOARD_HEADER}board: b
model: M
arch: arm64
firmware: dt
memory: [{ base: 0, size: 1 }]
iommus:
  - { name: mmu0, driver: ipmmu-vmsa, options: { allowlist: [sata], main: mmu9 } }
  - { name: smmu, driver: arm-smmu, options: { main: mmu0 } }
devices:
  - { name: sata0, driver: sata_rcr, iommus: [{ iommu: mmu1 }] }
  - { name: mmu0 }
drivers:
  sata_rcar:
    probe: [{ wait-for: phy }]
`;
      expect(boardErrors('b', body)).to.deep.equal([
        'boards/b.yaml:8:62: unknown device "sata" (did you mean "sata0"?)',
        'boards/b.yaml:8:75: unknown IOMMU "mmu9" (did you mean "mmu0"?)',
        'boards/b.yaml:9:48: option "main" applies to ipmmu-vmsa only, not arm-smmu',
        'boards/b.yaml:11:28: unknown driver "sata_rcr" (did you mean "sata_rcar"?); declare it under drivers:',
        'boards/b.yaml:11:56: unknown IOMMU "mmu1" (did you mean "mmu0"?)',
        'boards/b.yaml:12:13: duplicate device name "mmu0" (first defined at line 8)',
        'boards/b.yaml:15:25: unknown device "phy"',
      ]);
    });
  });

  describe('suites', () => {
    it('suite id equals the file name', () => {
      expect(suiteErrors('t', HEAD)).to.deep.equal(['suites/t.yaml:2:8: suite id "s" does not match the file name (expected "t")']);
    });

    it('board references: id in ../boards, path relative to the suite, did-you-mean', () => {
      const errs = suiteErrors('s', HEAD.replace('[evb]', '[evb, eb, ../boards/evb.yaml, ./nope.yaml]'));
      expect(errs).to.have.length(2);
      expect(errs[0]).to.match(/^suites\/s\.yaml:3:15: unknown board "eb": no eb\.yaml in \S*\/boards\/, \S*\/suites\/boards\/ or \S*\/suites\/ \(did you mean "evb"\?\)$/);
      expect(errs[1]).to.match(/^suites\/s\.yaml:3:39: board file "\.\/nope\.yaml" not found/);
    });

    it('a board with errors is reported in its own file', () => {
      const dir = tree({ 'boards/evb.yaml': EVB.replace('arch: arm64', 'arch: arm65'), 'suites/s.yaml': SUITE_HEADER + HEAD });
      expect(brief(load(dir, ['suites/s.yaml']).diagnostics)).to.deep.equal([
        'boards/evb.yaml:4:7: unknown arch "arm65" (did you mean "arm64"?); expected arm64, arm or x86_64',
      ]);
    });

    it('kernel profiles and behaviour ids exist', () => {
      const errs = suiteErrors('s', `${HEAD.replace('boards: [evb]', 'boards: [evb]\nkernels: [v5.1, V5.1, { base: v6.41 }, { base: v6.14, apply: [bcb81ac6ae3], revert: [nope] }]')}`);
      expect(errs).to.deep.equal([
        // an unknown version names the nearest existing newer profile, and the list follows
        `suites/s.yaml:4:17: unknown kernel profile "V5.1" (did you mean "v5.1"?) (known: ${PROFILES.map((p) => p.name).join(', ')})`,
        `suites/s.yaml:4:31: unknown kernel profile "v6.41" (did you mean "v7.0"?) (known: ${PROFILES.map((p) => p.name).join(', ')})`,
        'suites/s.yaml:4:63: unknown behaviour "bcb81ac6ae3" (did you mean "bcb81ac6ae3c"?)',
      ]);
      // resolveKernel stops at the first unknown id of an entry; a bad revert alone is found too
      const errs2 = suiteErrors('s', `${HEAD.replace('boards: [evb]', 'boards: [evb]\nkernels: [{ base: v6.14, revert: [nope] }]')}`);
      expect(errs2).to.have.length(1);
      expect(errs2[0]).to.match(/^suites\/s\.yaml:4:35: unknown behaviour "nope" \(known: 7b07cbefb68d, /);
    });

    it('step references resolve on every board the scenario runs on', () => {
      const other = EVB.replace('board: evb', 'board: evb2').replace(/  - \{ name: ee100000\.mmc.*\n/, '');
      const body = `suite: s
boards: [evb, evb2]
scenarios:
  - name: one
    steps:
      - boot: { hold: [sdh] }
      - bind: ee100000.mmc
      - bind: { device: ee300000.sata, driver: sata_rcarr }
      - unbind: ee300000.sat
      - fail-probe: { device: e300000.sata, error: -EIO, at: 3 }
      - register-iommu-late: e67b0000.mm
      - load-module: sdhii
      - unload-module: ipmmu-vmsa
      - add-device: e67b0000.mmu
      - remove-device: e67b0000.mmu
      - expect: { state: [{ device: ee100000.mmc }, { iommu: e67b0000.mmu, registered: true }] }
    expect:
      state: [{ device: ee300000.sata, driver: sata }, { iommu: mmu, registered: false }]
`;
      expect(suiteErrors('s', body, { 'boards/evb2.yaml': other })).to.deep.equal([
        'suites/s.yaml:7:24: unknown driver "sdh" on board evb (did you mean "sdhi"?)',
        'suites/s.yaml:7:24: unknown driver "sdh" on board evb2 (did you mean "sdhi"?)',
        'suites/s.yaml:8:15: unknown device "ee100000.mmc" on board evb2',
        'suites/s.yaml:9:48: unknown driver "sata_rcarr" on board evb (did you mean "sata_rcar"?)',
        'suites/s.yaml:9:48: unknown driver "sata_rcarr" on board evb2 (did you mean "sata_rcar"?)',
        'suites/s.yaml:10:17: unknown device "ee300000.sat" on board evb (did you mean "ee300000.sata"?)',
        'suites/s.yaml:10:17: unknown device "ee300000.sat" on board evb2 (did you mean "ee300000.sata"?)',
        'suites/s.yaml:11:31: unknown device "e300000.sata" on board evb (did you mean "ee300000.sata"?)',
        'suites/s.yaml:11:31: unknown device "e300000.sata" on board evb2 (did you mean "ee300000.sata"?)',
        'suites/s.yaml:12:30: unknown IOMMU "e67b0000.mm" on board evb (did you mean "e67b0000.mmu"?)',
        'suites/s.yaml:12:30: unknown IOMMU "e67b0000.mm" on board evb2 (did you mean "e67b0000.mmu"?)',
        'suites/s.yaml:13:22: unknown driver "sdhii" on board evb (did you mean "sdhi"?)',
        'suites/s.yaml:13:22: unknown driver "sdhii" on board evb2 (did you mean "sdhi"?)',
        'suites/s.yaml:15:21: unknown device "e67b0000.mmu" on board evb',
        'suites/s.yaml:15:21: unknown device "e67b0000.mmu" on board evb2',
        'suites/s.yaml:17:37: unknown device "ee100000.mmc" on board evb2',
        'suites/s.yaml:19:48: unknown driver "sata" on board evb (did you mean "sata_rcar"?)',
        'suites/s.yaml:19:48: unknown driver "sata" on board evb2 (did you mean "sata_rcar"?)',
        'suites/s.yaml:19:65: unknown IOMMU "mmu" on board evb',
        'suites/s.yaml:19:65: unknown IOMMU "mmu" on board evb2',
      ]);
    });

    it('fail-probe "at" within the driver\'s probe', () => {
      expect(suiteErrors('s', `${HEAD}      - fail-probe: { device: ee300000.sata, error: -EIO, at: 3 }\n`)).to.deep.equal([
        "suites/s.yaml:8:63: at 3 is past the end of sata_rcar's probe (2 actions) on board evb",
      ]);
      expect(suiteErrors('s', `${HEAD}      - fail-probe: { device: ee300000.sata, error: -EIO, at: 2 }\n`)).to.deep.equal([]);
    });

    it('known-bad: kernel among the scenario\'s, fixed-by a behaviour', () => {
      const body = `suite: s
boards: [evb]
kernels: [v5.0, v5.1]
scenarios:
  - name: one
    steps: [boot]
    known-bad:
      - { kernel: v5.2, fixed-by: 0b777eee88d7 }
      - { kernel: v5.0, fixed-by: 376991db4b46 }
      - { kernel: v5.0, fixed-by: 376991db4b64 }
`;
      expect(suiteErrors('s', body)).to.deep.equal([
        "suites/s.yaml:9:19: known-bad kernel \"v5.2\" is not one of the scenario's kernels: v5.0, v5.1",
        'suites/s.yaml:10:35: unknown behaviour "376991db4b46" (did you mean "376991db4b64"?)',
        'suites/s.yaml:11:19: a second known-bad entry for kernel "v5.0" (first at line 10)',
      ]);
    });

    it('for-each must match a device; ${device} only under for-each; no other variables', () => {
      const body = `suite: s
boards: [evb]
scenarios:
  - name: one
    for-each: { device: "*usb*" }
    steps: [boot]
  - name: two
    steps: [boot, { unbind: "\${device}" }]
  - name: three
    for-each: { device: "*.sata" }
    steps: [boot, { unbind: "\${dev}" }]
`;
      expect(suiteErrors('s', body)).to.deep.equal([
        'suites/s.yaml:6:25: for-each pattern "*usb*" matches no device on evb',
        'suites/s.yaml:9:29: ${device} is only defined under for-each',
        'suites/s.yaml:12:29: unknown variable "${dev}" (only ${device} is defined, under for-each)',
      ]);
    });

    it('regexes compile, Python named groups accepted, the JS error reported, a backreference refused where it stands', () => {
      const body = `${HEAD}    expect:
      log: [{ regex: "probe of (?P<dev>\\\\S+) failed (?P=dev)" }]
      no-log: [{ regex: "a(b" }]
      count: [{ pattern: { regex: "[z-a]" }, times: 1 }]
`;
      expect(suiteErrors('s', body)).to.deep.equal([
        'suites/s.yaml:9:53: invalid regex /probe of (?P<dev>\\S+) failed (?P=dev)/: the named backreference (?P=dev) is not in RE2 syntax: bringup matches patterns in linear time (RE2) so that no pattern can hang a run, and a backreference cannot be matched in linear time; write the repeated text out',
        'suites/s.yaml:10:25: invalid regex /a(b/: Unterminated group',
        'suites/s.yaml:11:35: invalid regex /[z-a]/: Range out of order in character class',
      ]);
    });

    it('dyndbg queries parse as the kernel parses them; an error points at the word in the string', () => {
      const body = `suite: s
boards: [evb]
scenarios:
  - name: one
    steps:
      - boot: { dyndbg: ["file drivers/base/dd.c +p", "fiel dd.c +p", 'module iommu +pl; func x +p'] }
`;
      expect(suiteErrors('s', body)).to.deep.equal([
        'suites/s.yaml:7:56: dyndbg: unknown keyword "fiel" (keywords: func, file, module, format, class)',
        "suites/s.yaml:7:87: dyndbg: flag 'l' (line number in the prefix) is not modelled: the model's call sites have no source line",
      ]);
    });

    it('count needs a bound; register-iommu-late needs a boot; scenario names are unique', () => {
      const body = `suite: s
boards: [evb]
scenarios:
  - name: one
    steps:
      - register-iommu-late: e67b0000.mmu
      - boot
    expect: { count: [{ pattern: x }, { pattern: y, times: 1, at-most: 2 }] }
  - name: one
    steps: [boot]
`;
      expect(suiteErrors('s', body)).to.deep.equal([
        "suites/s.yaml:7:9: register-iommu-late needs a boot step before it (the IOMMU's driver is held at that boot)",
        'suites/s.yaml:9:23: count needs times, at-least or at-most',
        'suites/s.yaml:9:53: count takes times, or at-least/at-most, not both',
        'suites/s.yaml:10:11: duplicate scenario name "one" (first defined at line 5)',
      ]);
    });

    it('a scenario with no boards', () => {
      expect(suiteErrors('s', `suite: s\nscenarios:\n  - name: one\n    steps: [boot]\n`)).to.deep.equal([
        'suites/s.yaml:4:11: scenario "one" runs on no board: add boards: to the suite or the scenario',
      ]);
    });
  });

  it('reports every file, in the order given, then by position', () => {
    const dir = tree({
      'boards/evb.yaml': EVB,
      'boards/zz.yaml': EVB.replace('board: evb', 'board: zz').replace('arch: arm64', 'arch: x86'),
      'suites/a.yaml': SUITE_HEADER + HEAD.replace('suite: s', 'suite: a') + '      - unbind: nope\n',
      'suites/b.yaml': SUITE_HEADER + HEAD.replace('suite: s', 'suite: bb'),
    });
    expect(brief(load(dir, ['suites', 'boards']).diagnostics)).to.deep.equal([
      'suites/a.yaml:8:17: unknown device "nope" on board evb',
      'suites/b.yaml:2:8: suite id "bb" does not match the file name (expected "b")',
      'boards/zz.yaml:4:7: unknown arch "x86" (did you mean "x86_64"?); expected arm64, arm or x86_64',
    ]);
  });
});

describe('dsl/semantic checks: repeats', () => {
  it('a board or kernel listed twice', () => {
    const body = `suite: s
boards: [evb, evb]
kernels: [v5.0, { base: v5.0 }]
scenarios:
  - name: one
    kernels: [v6.15, v6.15]
    steps: [boot]
`;
    expect(suiteErrors('s', body)).to.deep.equal([
      'suites/s.yaml:3:15: board "evb" is listed twice',
      'suites/s.yaml:4:17: kernel "v5.0" is listed twice',
      'suites/s.yaml:7:22: kernel "v6.15" is listed twice',
    ]);
  });
});
