/** One benchmark in `npm run bench`; it prints its own figures and throws when a check fails. */
export interface BenchSuite {
  name: string;
  description: string;
  run(): Promise<void>;
}

/** Prints one line of a benchmark's figures, indented under its suite's heading. */
export const log = (line: string) => console.log(`  ${line}`);

/** Repetitions of each timed query, BENCH_RUNS (default 50), after WARMUP untimed ones. */
export const BENCH_RUNS = Number(process.env.BENCH_RUNS ?? 50);
export const WARMUP = 5;

/** Runs a benchmark script's main, exiting 0, or 1 after printing `heading: why`. */
export function runMain(main: () => Promise<void>, heading: string): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`\n${heading}: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}

/** A command-line option of a benchmark script: `--name value` or `--name=value`. */
export function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const at = args.indexOf(`--${name}`);
  if (at >= 0) return args[at + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
}
