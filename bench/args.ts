// The benches' command lines, read the same way by each: `--name value` options and bare `--flag`s.
const argv = process.argv.slice(2);

/** The value after `name`, or `fallback` when it is not given. */
export function option(name: string, fallback: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
}

export const flag = (name: string): boolean => argv.includes(name);
