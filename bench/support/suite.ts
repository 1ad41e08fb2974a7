/** One benchmark in `npm run bench`; it prints its own figures and throws when a check fails. */
export interface BenchSuite {
  name: string;
  description: string;
  run(): Promise<void>;
}
