import { describe, expect, it } from "vitest";
import { englishClusters, pairGroups } from "../../src/experiment/clusters.js";
import { parseExperimentConfig } from "../../src/experiment/config.js";
import { studentSettings } from "../../src/experiment/settings.js";
import { Mulberry32 } from "../../src/util/random.js";

/** `n` texts of 1-3 unit token vectors near one of `k` random directions in `d` dimensions. */
function topics(n: number, k: number, d: number, seed: number) {
  const r = new Mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, gauss));
  const truth: number[] = [];
  const rows: number[][] = [];
  const offsets = [0];
  for (let i = 0; i < n; i++) {
    const t = i % k;
    truth.push(t);
    const tokens = 1 + r.int(3);
    for (let j = 0; j < tokens; j++) {
      const v = centres[t].map((c) => c + 0.3 * gauss());
      const norm = Math.hypot(...v);
      rows.push(v.map((x) => x / norm));
    }
    offsets.push(rows.length);
  }
  return {
    english: { dim: d, vectors: Float32Array.from(rows.flat()), offsets: Int32Array.from(offsets) },
    truth,
  };
}

describe("clustered batches: English topic clusters", () => {
  it("recovers well-separated topics, the same for the same seed", async () => {
    const { english, truth } = topics(120, 4, 16, 2);
    const c = await englishClusters(english, 4, 13);
    expect(c.length).toBe(120);
    // every topic maps to one cluster and no two topics share one
    const map = new Map<number, Set<number>>();
    truth.forEach((t, i) => map.set(t, (map.get(t) ?? new Set()).add(c[i])));
    expect([...map.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set([...map.values()].map((s) => [...s][0])).size).toBe(4);
    expect(await englishClusters(english, 4, 13)).toEqual(c);
  });

  it("gives each pair its English sentence's cluster and refuses what does not fit", async () => {
    const { english } = topics(10, 2, 8, 3);
    await expect(englishClusters(english, 11, 1)).rejects.toThrow(/11 clusters for 10 English sentences/);
    const pairs = [{ foreign: "a", english: "x", englishIndex: 3 }];
    expect(() => pairGroups(pairs, Int32Array.of(0, 1))).toThrow(/English sentence 3 has no cluster/);
  });

  it("is off by default and then absent from the students' settings (their cache keys unchanged)", () => {
    const off = studentSettings(parseExperimentConfig({}), "contrastive");
    expect("clusteredBatches" in off).toBe(false);
    const on = studentSettings(parseExperimentConfig({ students: { clusteredBatches: 64 } }), "contrastive");
    expect(on.clusteredBatches).toBe(64);
    expect(() => parseExperimentConfig({ students: { clusteredBatches: -1 } })).toThrow(/clusteredBatches/);
  });
});
