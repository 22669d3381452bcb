/**
 * Transport plans for the report: for a few test queries with English originals, the entropic OT
 * plan between the OT student's token vectors of the foreign query and the teacher's token vectors
 * of its English original (cost 1 - cos, uniform marginals), i.e. what the OT loss aligns, solved
 * with the OT student's training settings (epsilon, iteration cap, tolerance).
 */
import { OnnxEncoder } from "../models/onnx-encoder.js";
import { sinkhorn } from "../ot/sinkhorn.js";
import type { ReportPlan } from "../report/types.js";
import type { BenchmarkDef } from "./benchmarks.js";

export async function samplePlans(o: {
  benchmarks: BenchmarkDef[];
  studentDir: string;
  teacherDir: string;
  /** The OT student's training settings. */
  ot: { epsilon: number; maxIterations: number; tolerance: number };
  perLanguage?: number;
  maxLanguages?: number;
}): Promise<ReportPlan[]> {
  const student = await OnnxEncoder.fromFolder(o.studentDir, { threads: 2 });
  const teacher = await OnnxEncoder.fromFolder(o.teacherDir, { threads: 2 });
  const plans: ReportPlan[] = [];
  try {
    const tasks = o.benchmarks.flatMap((b) => b.tasks).filter((t) => t.englishQueries !== null);
    for (const task of tasks.slice(0, o.maxLanguages ?? 3)) {
      const english = new Map((task.englishQueries ?? []).map((q) => [q.qid, q.text]));
      const picks = task.queries.filter((q) => english.has(q.qid)).slice(0, o.perLanguage ?? 1);
      for (const q of picks) {
        const f = await student.encodeTokensDetailed([q.text]);
        const e = await teacher.encodeTokensDetailed([english.get(q.qid) as string]);
        const m = f.tokens[0].length;
        const n = e.tokens[0].length;
        const d = f.vectors.dim;
        const cost = new Float64Array(m * n); // [m, n] 1 - cos (rows are unit vectors)
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let dot = 0;
            for (let k = 0; k < d; k++) dot += f.vectors.vectors[i * d + k] * e.vectors.vectors[j * d + k];
            cost[i * n + j] = 1 - dot;
          }
        const r = sinkhorn(new Float64Array(m).fill(1 / m), new Float64Array(n).fill(1 / n), cost, {
          epsilon: o.ot.epsilon,
          maxIterations: o.ot.maxIterations,
          tolerance: o.ot.tolerance,
        });
        const plan: number[][] = [];
        for (let i = 0; i < m; i++) plan.push(Array.from(r.plan.subarray(i * n, (i + 1) * n)));
        const how = `eps ${o.ot.epsilon}, ${r.iterations} iterations${r.converged ? "" : ", not converged"}`;
        plans.push({
          title: `${task.benchmark}/${task.language} ${q.qid}: "${q.text}" -> "${english.get(q.qid)}" (${how})`,
          rowTokens: f.tokens[0],
          colTokens: e.tokens[0],
          plan,
        });
      }
    }
  } finally {
    await student.dispose();
    await teacher.dispose();
  }
  return plans;
}
