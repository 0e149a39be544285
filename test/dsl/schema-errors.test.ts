import { expect } from 'chai';
import { boardErrors, BOARD_HEADER, suiteErrors } from './helpers.js';

// Suite bodies start on line 2 (line 1 is the modeline); the first step is on line 7.
const HEAD = `suite: s
boards: [evb]
scenarios:
  - name: one
    steps:
      - boot
`;

describe('dsl/schema errors', () => {
  it('unknown key at the key, with did-you-mean', () => {
    expect(suiteErrors('s', `${HEAD}    expct: { log: [x] }\n`)).to.deep.equal([
      'suites/s.yaml:8:5: unknown key "expct" (did you mean "expect"?)',
    ]);
  });

  it('unknown top-level key and the misspelt required key it was meant to be', () => {
    // "scenarioes" also makes "scenarios" missing; the typo is the one report
    const errs = suiteErrors('s', `suite: s\nboards: [evb]\nscenarioes: []\n`);
    expect(errs).to.deep.equal(['suites/s.yaml:4:1: unknown key "scenarioes" (did you mean "scenarios"?)']);
  });

  it('missing required key at the map', () => {
    expect(suiteErrors('s', `suite: s\nboards: [evb]\nscenarios:\n  - steps: [boot]\n`)).to.deep.equal([
      'suites/s.yaml:5:5: missing required key "name" in scenario',
    ]);
  });

  it('wrong type at the value', () => {
    expect(suiteErrors('s', `${HEAD}      - fail-probe: { device: ee300000.sata, error: -EIO, times: two }\n`)).to.deep.equal([
      'suites/s.yaml:8:66: "times" must be an integer, not the string "two"',
    ]);
  });

  it('unknown step, with did-you-mean', () => {
    expect(suiteErrors('s', `${HEAD}      - unbnd: ee300000.sata\n`)).to.deep.equal([
      'suites/s.yaml:8:9: unknown step "unbnd" (did you mean "unbind"?)',
    ]);
  });

  it('a plain step name that is not boot or deferred-timeout', () => {
    expect(suiteErrors('s', `${HEAD}      - deferred-timout\n      - unbind\n`)).to.deep.equal([
      'suites/s.yaml:8:9: unknown step "deferred-timout" (did you mean "deferred-timeout"?); expected boot or deferred-timeout',
      'suites/s.yaml:9:9: step "unbind" needs a value ("unbind: ...")',
    ]);
  });

  it('two keys in one step: one error at the second key', () => {
    expect(suiteErrors('s', `${HEAD}      - unbind: ee300000.sata\n        bind: ee300000.sata\n`)).to.deep.equal([
      'suites/s.yaml:9:9: a step has exactly one key; found "unbind" and "bind" (start a new list item with "- ")',
    ]);
  });

  it('a step that is not a map', () => {
    expect(suiteErrors('s', `${HEAD}      - 7\n`)).to.deep.equal([
      'suites/s.yaml:8:9: a step must be a map with exactly one key (such as "unbind: DEVICE"), not the number 7',
    ]);
  });

  it('errno names: -ENOMEM style, did-you-mean for the bare name', () => {
    expect(suiteErrors('s', `${HEAD}      - fail-probe: { device: ee300000.sata, error: ENOMEM }\n`)).to.deep.equal([
      'suites/s.yaml:8:53: unknown errno "ENOMEM" (did you mean "-ENOMEM"?)',
    ]);
    expect(suiteErrors('s', `${HEAD}      - fail-probe: { device: ee300000.sata, error: -12 }\n`)).to.deep.equal([]);
  });

  it('enum values with did-you-mean and the allowed list', () => {
    expect(suiteErrors('s', `${HEAD}    expect:\n      state: [{ device: ee300000.sata, dma-ops: iomu }]\n`)).to.deep.equal([
      'suites/s.yaml:9:49: unknown dma-ops "iomu" (did you mean "iommu"?); expected none, direct or iommu',
    ]);
  });

  it('pattern-checked ids', () => {
    expect(suiteErrors('s', `suite: s\nboards: [evb]\nscenarios:\n  - name: "one#two"\n    steps: [boot]\n`)).to.deep.equal([
      'suites/s.yaml:5:11: invalid scenario name "one#two": must match ^[a-z0-9][a-z0-9_.-]*$',
    ]);
  });

  it('a misspelt state key is one error, not three', () => {
    expect(suiteErrors('s', `${HEAD}    expect:\n      state: [{ devce: ee300000.sata, bound: false }]\n`)).to.deep.equal([
      'suites/s.yaml:9:17: unknown key "devce" (did you mean "device"?)',
    ]);
  });

  it('state item shapes', () => {
    expect(
      suiteErrors('s', `${HEAD}    expect:\n      state:\n        - { iommu: e67b0000.mmu }\n        - { tainted: bd }\n        - { errno: -EBUSY, device: x }\n`),
    ).to.deep.equal([
      'suites/s.yaml:10:11: missing required key "registered"',
      'suites/s.yaml:11:22: invalid tainted "bd": must match ^[A-Z]*$',
      'suites/s.yaml:12:13: unknown key "errno"; expected "device", "bound", "driver", "deferred", "group" or "dma-ops"',
      'suites/s.yaml:12:36: unknown device "x" on board evb',
    ]);
  });

  it('YAML syntax errors are positioned and stop the file', () => {
    expect(suiteErrors('s', `suite: s\nboards: [evb\nscenarios: []\n`)).to.have.length.greaterThan(0);
    const errs = suiteErrors('s', `suite: s\n\tboards: [evb]\n`);
    expect(errs[0]).to.match(/^suites\/s\.yaml:3:1: /);
  });

  it('duplicate keys name the first occurrence', () => {
    expect(suiteErrors('s', `${HEAD}    steps: []\n`)).to.deep.equal(['suites/s.yaml:8:5: duplicate key "steps" (first defined at line 6)']);
  });

  it('board: unknown key, enum, type, range, action shapes', () => {
    const body = `${BOARD_HEADER}board: b
model: M
arch: arm65
firmware: dt
memory:
  - { base: 0x40000000, size: big }
devices:
  - name: d
    dma-bits: 65
    drver: x
drivers:
  x:
    initcall: devce
    probe:
      - log
      - { dmam-alloc: 1, log: y }
      - dmm-alloc: 5
`;
    expect(boardErrors('b', body)).to.deep.equal([
      'boards/b.yaml:4:7: unknown arch "arm65" (did you mean "arm64"?); expected arm64, arm or x86_64',
      'boards/b.yaml:7:31: "size" must be an integer, not the string "big"',
      'boards/b.yaml:10:15: "dma-bits" must be at most 64, not 65',
      'boards/b.yaml:11:5: unknown key "drver" (did you mean "driver"?)',
      'boards/b.yaml:14:15: unknown initcall level "devce" (did you mean "device"?); expected core, subsys, arch, device, late or module',
      'boards/b.yaml:16:9: a probe action must be a map with exactly one key (such as "dmam-alloc: 4096"), not the string "log"',
      'boards/b.yaml:17:26: a probe action has exactly one key; found "dmam-alloc" and "log" (start a new list item with "- ")',
      'boards/b.yaml:18:9: unknown probe action "dmm-alloc" (did you mean "dmam-alloc"?)',
    ]);
  });

  it('board: IOMMU driver catalog and bus enum', () => {
    const body = `board: b\nmodel: M\narch: arm64\nfirmware: acpi\nmemory: [{ base: 0, size: 1 }]\niommus: [{ name: i, driver: arm-smmu-v4 }]\ndevices: [{ name: d, bus: pcie }]\n`;
    expect(boardErrors('b', body)).to.deep.equal([
      'boards/b.yaml:6:29: unknown IOMMU driver "arm-smmu-v4" (did you mean "arm-smmu-v3"?); expected ipmmu-vmsa, rockchip-iommu, mtk-iommu, exynos-sysmmu, arm-smmu, arm-smmu-v3, intel-iommu, amd-iommu or virtio-iommu',
      'boards/b.yaml:7:27: unknown bus "pcie" (did you mean "pci"?); expected platform, amba or pci',
    ]);
  });

  it('a top-level $schema key is allowed', () => {
    const body = `$schema: ../dsl-schema/board.schema.json\nboard: b\nmodel: M\narch: arm64\nfirmware: dt\nmemory: [{ base: 0, size: 1 }]\n`;
    expect(boardErrors('b', body)).to.deep.equal([]);
  });
});
