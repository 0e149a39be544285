// Taint flags in kernel/panic.c's order; print_tainted() prints one character per
// flag (the letter or a blank; flag 0's blank is 'G'), so the string is fixed-width.

const FLAGS: readonly [string, string][] = [
  ['P', 'G'], ['F', ' '], ['S', ' '], ['R', ' '], ['M', ' '], ['B', ' '], ['U', ' '], ['D', ' '],
  ['A', ' '], ['W', ' '], ['C', ' '], ['I', ' '], ['O', ' '], ['E', ' '], ['L', ' '], ['K', ' '],
  ['X', ' '], ['T', ' '], ['N', ' '],
];

import { COPY, type CopyMap } from '../snapshot.js';

export type TaintLetter = 'B' | 'D' | 'W' | 'O' | 'E';

export class Taint {
  private readonly set = new Set<string>();
  /** letters(), made once per change (explore's state key asks at every hashed point) */
  private lettersMemo: string | undefined = undefined;
  /** print(), likewise (every report's header prints it) */
  private printMemo: string | undefined = undefined;

  /** how many flags print_tainted() knows: 18 before TAINT_TEST, 19 after */
  constructor(private readonly flagCount = 18) {}

  [COPY](m: CopyMap): Taint {
    const c = m.set(this, new Taint(this.flagCount));
    for (const l of this.set) c.set.add(l);
    c.lettersMemo = this.lettersMemo;
    c.printMemo = this.printMemo;
    return c;
  }

  add(letter: TaintLetter): void {
    if (this.set.has(letter)) return;
    this.set.add(letter);
    this.lettersMemo = undefined;
    this.printMemo = undefined;
  }

  has(letter: TaintLetter): boolean {
    return this.set.has(letter);
  }

  /** the set letters in flag order, "" when clean */
  letters(): string {
    return (this.lettersMemo ??= FLAGS.map((f) => f[0]).filter((l) => this.set.has(l)).join(''));
  }

  /** print_tainted(): "Not tainted" or "Tainted: G    B   " etc. */
  print(): string {
    if (this.set.size === 0) return 'Not tainted';
    return (this.printMemo ??= `Tainted: ${FLAGS.slice(0, this.flagCount).map(([l, off]) => (this.set.has(l) ? l : off)).join('')}`);
  }
}
