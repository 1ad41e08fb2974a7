/**
 * `npm run docs:contract`: writes docs/ingestion.md from the zod contract. Run it after
 * changing lib/contract; tests/contract/docs.test.ts fails until the file is regenerated.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { INGESTION_DOC_PATH, generateIngestionDoc } from "@/lib/contract/ingestion-doc";

async function main(): Promise<void> {
  const target = path.resolve(INGESTION_DOC_PATH);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, await generateIngestionDoc());
  console.log(`Wrote ${INGESTION_DOC_PATH}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
