// Taint flags in kernel/panic.c's order; print_tainted() prints one character per
// flag (the letter or a blank; flag 0's blank is 'G'), so the string is fixed-width.

const FLAGS: readonly [string, string][] = [
  ['P', 'G'], ['F', ' '], ['S', ' '], ['R', ' '], ['M', ' '], ['B', ' '], ['U', ' '], ['D', ' '],
  ['A', ' '], ['W', ' '], ['C', ' '], ['I', ' '], ['O', ' '], ['E', ' '], ['L', ' '], ['K', ' '],
  ['X', ' '], ['T', ' '],
];

export type TaintLetter = 'B' | 'D' | 'W' | 'O' | 'E';

export class Taint {
  private readonly set = new Set<string>();

  add(letter: TaintLetter): void {
    this.set.add(letter);
  }

  has(letter: TaintLetter): boolean {
    return this.set.has(letter);
  }

  /** the set letters in flag order, "" when clean */
  letters(): string {
    return FLAGS.map(([l]) => l).filter((l) => this.set.has(l)).join('');
  }

  /** print_tainted(): "Not tainted" or "Tainted: G    B   " etc. */
  print(): string {
    if (this.set.size === 0) return 'Not tainted';
    let last = 0;
    FLAGS.forEach(([l], i) => {
      if (this.set.has(l)) last = i;
    });
    // the kernel prints every flag; trailing blanks are dropped here only to keep
    // the line comparable when newer kernels add flags
    const s = FLAGS.slice(0, Math.max(last + 1, FLAGS.length)).map(([l, off]) => (this.set.has(l) ? l : off)).join('');
    return `Tainted: ${s}`;
  }
}
