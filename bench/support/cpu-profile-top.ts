import { readFileSync } from "node:fs";

/*
 * The self time of a `node --cpu-prof` profile summed by function and by file, largest
 * first: `npx tsx bench/support/cpu-profile-top.ts <file.cpuprofile> [rows]`.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

const [file, rows = "40"] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file!, "utf8")) as {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
};
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  const frame = nodes.get(id)!.callFrame;
  if (frame.functionName === "(idle)") return;
  total += delta;
  const where = frame.url.replace(/^.*\/(node_modules\/|\.next[^/]*\/)/, "$1") || "(native)";
  const name = `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
  byFile.set(where, (byFile.get(where) ?? 0) + delta);
});
const top = (map: Map<string, number>) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(rows))
    .map(([name, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}`)
    .join("\n");
console.log(
  `busy ${(total / 1e6).toFixed(2)} s\n\nby function\n${top(byFunction)}\n\nby file\n${top(byFile)}`,
);
