// Write one kernel's manifest for the qemu target (called by kernels.sh).
// usage: manifest.mjs OUT LINE ARCH KVER VERSION KROOT INITRD CONFIG TESTMODS-FROM "MODULES"
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const [out, line, arch, kver, version, kroot, initrd, configFile, testmodsFrom, modules] = process.argv.slice(2);
const kernel = `${kroot}/boot/vmlinuz-${kver}`;
if (!existsSync(kernel)) {
  console.error(`manifest: ${kernel} missing`);
  process.exit(1);
}
// the options that decide what a board can do on this kernel (built-in vs module, defaults)
const WANT = [
  'VIRTIO_IOMMU', 'ARM_SMMU_V3', 'INTEL_IOMMU', 'INTEL_IOMMU_DEFAULT_ON', 'AMD_IOMMU', 'ACPI_VIOT',
  'VIRTIO_PCI', 'VIRTIO_BLK', 'VIRTIO_NET', 'E1000E', 'PCIEPORTBUS', 'MODULE_FORCE_LOAD', 'MODVERSIONS',
  'IOMMU_DEFAULT_DMA_STRICT', 'IOMMU_DEFAULT_DMA_LAZY', 'IOMMU_DEFAULT_PASSTHROUGH', 'MODULE_SIG_FORCE',
];
const config = {};
if (existsSync(configFile)) {
  for (const l of readFileSync(configFile, 'utf8').split('\n')) {
    const m = /^CONFIG_([A-Z0-9_]+)=(.*)$/.exec(l);
    if (m && WANT.includes(m[1])) config[m[1]] = m[2].replace(/^"|"$/g, '');
  }
  for (const k of WANT) if (!(k in config)) config[k] = 'n';
}
// module names built in (modules.builtin lists kernel/drivers/.../name.ko)
const builtinFile = `${kroot}/lib/modules/${kver}/modules.builtin`;
const builtin = existsSync(builtinFile)
  ? readFileSync(builtinFile, 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/^.*\//, '').replace(/\.ko$/, '').replace(/-/g, '_'))
  : [];
const qemu = arch === 'arm64' ? 'qemu-system-aarch64' : 'qemu-system-x86_64';
let qemuPath = qemu;
let qemuVersion = '';
try {
  qemuPath = execFileSync('sh', ['-c', `command -v ${qemu}`], { encoding: 'utf8' }).trim();
  qemuVersion = execFileSync(qemuPath, ['--version'], { encoding: 'utf8' }).split('\n')[0].split(' ')[3] ?? '';
} catch {
  // recorded as missing; the target reports it
}
const manifest = {
  line,
  arch,
  kver,
  version,
  kernel,
  initrd,
  qemu: qemuPath,
  qemuVersion,
  modules: [...modules.trim().split(/\s+/).filter(Boolean), 'probetest', 'probewait'],
  testmods: testmodsFrom,
  builtin: builtin.filter((m) => /^(virtio|e1000|pcieport|arm_smmu|intel|amd_iommu|iommu)/.test(m)).sort(),
  config,
  recipe: process.env.RECIPE ?? '',
  created: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
};
writeFileSync(out, JSON.stringify(manifest, null, 2) + '\n');
