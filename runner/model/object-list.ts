// An empty list that holds objects (or strings) from the start. A `[]` holds small integers
// until its first push; code that reads lists which stay empty on one board and fill on
// another then saw two kinds of array, and V8 threw its compiled code away when the second
// kind came (the model's frame buffer, explore's lists, the titles of a log).

export function objectList<T extends object | string>(): T[] {
  const a: unknown[] = [''];
  a.pop();
  return a as T[];
}
