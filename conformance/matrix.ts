// The conformance matrix (issue #18): which boards run on which real kernels, and which
// model profile stands for each Debian kernel line.

/** The QEMU boards of the matrix (boards/<id>.yaml); the model runs the same files. */
export const BOARDS = ['qemu-virt-viommu', 'qemu-virt-smmuv3', 'qemu-q35-intel', 'qemu-q35-amd'] as const;

/** Debian's kernel lines, oldest first (bullseye, bookworm, bookworm-backports/trixie, trixie-backports). */
export const LINES = ['5.10', '6.1', '6.12', '6.16', '6.17', '6.18', '6.19', '7.0', '7.1', '7.2', '7.3'] as const;

export { profileForLine as profileFor } from '../runner/cli/commands/agreement.js';

/** Debian architecture of a board's arch. */
export function debArch(arch: string): string {
  return arch === 'x86_64' ? 'amd64' : arch;
}
