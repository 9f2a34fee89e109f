// The models the poem studio writes with: the shipped Tang-poem and Shakespeare models, and every model a learner
// trained (runs/tang/<id>/model, runs/shakespeare/<id>/model). Each is loaded once per process, when first needed; a
// folder that does not load is listed with the one sentence loadModelFolder gives. A loaded model lends out
// generators (CharGenerator: its own copy of the weights and its own state), one per poem being written, so that
// poems written at the same time, one character each in turn, do not mix their states.
import * as fs from "fs";
import * as path from "path";
import { pretrainedDir } from "../../src/course";
import { listRuns, unreadableRuns } from "../../src/runs/index";
import { displayPath } from "../../src/runs/paths";
import * as shakespeare from "../../src/shakespeare/index";
import * as tang from "../../src/tang/index";
import type { Vocab } from "../../src/data/text";
import type { CharGenerator } from "../../src/tf/generate";

export type Kind = "tang" | "sonnet";

/** A model as the page lists it. */
export interface ModelEntry {
  /** "shipped:tang-lstm" or "run:tang/<run id>". */
  id: string;
  kind: Kind;
  name: string;
  /** The sentence that says why it does not load (null when it loads, or before it has been tried). */
  problem: string | null;
}

/** A loaded model: what it writes with, and its generators. */
export interface Loaded {
  kind: Kind;
  vocab: tang.PoemVocab | Vocab;
  /** Sonnet models: lowercase the prompt (the model read lowercased text). */
  lowercase: boolean;
  /** Borrows a generator (waiting while `limit` are out); give it back with release. */
  borrow(): Promise<CharGenerator>;
  release(generator: CharGenerator): void;
}

/** Most generators of one model out at once: more poems than this wait their turn. */
const limit = 24;

/** The shipped models, and the learners' models of each lesson. */
function entries(): Array<ModelEntry & { dir: string }> {
  const shipped = [
    { id: "shipped:tang-lstm", kind: "tang" as Kind, name: "Tang poems (shipped, lesson 5)", dir: pretrainedDir("tang-lstm") },
    { id: "shipped:shakespeare-lstm", kind: "sonnet" as Kind, name: "Shakespeare (shipped, lesson 4)", dir: pretrainedDir("shakespeare-lstm") },
  ];
  const runs = (["tang", "shakespeare"] as const).flatMap((lesson) =>
    listRuns(lesson).map((run) => ({
      id: `run:${lesson}/${run.id}`,
      kind: (lesson === "tang" ? "tang" : "sonnet") as Kind,
      name: `your ${lesson} run ${run.id} (${run.status})`,
      dir: path.join(run.dir, "model"),
    })),
  );
  return [...shipped, ...runs].map((e) => ({ ...e, problem: null }));
}

const cache = new Map<string, Promise<Loaded>>();

/** Returns the model `id`, loading it the first time (one load per process); rejects with the sentence of a folder that does not load. */
export function loadEntry(id: string): Promise<Loaded> {
  let found = cache.get(id);
  if (!found) {
    const entry = entries().find((e) => e.id === id);
    if (!entry) return Promise.reject(new Error(`There is no model "${id}": choose one of the list (reload the page to see new runs).`));
    found = load(entry.kind, entry.dir);
    cache.set(id, found);
  }
  return found;
}

async function load(kind: Kind, dir: string): Promise<Loaded> {
  if (!fs.existsSync(path.join(dir, "model.json")) && !fs.existsSync(dir)) {
    throw new Error(`${displayPath(dir)} is missing: the run has saved no model yet (it saves its best model as it trains).`);
  }
  let make: () => CharGenerator;
  let vocab: tang.PoemVocab | Vocab;
  let lowercase = false;
  if (kind === "tang") {
    const loaded = await tang.loadPoemModel(dir);
    vocab = loaded.vocab;
    make = () => tang.poemGenerator(loaded.model, loaded.vocab);
  } else {
    const loaded = await shakespeare.loadCharModel(dir);
    vocab = loaded.vocab;
    lowercase = loaded.lowercase;
    make = () => new shakespeare.CharGenerator(loaded.model);
  }
  make().reset(); // a model the generator cannot run is refused now, with its sentence
  const free: CharGenerator[] = [];
  const waiting: Array<(g: CharGenerator) => void> = [];
  let made = 0;
  return {
    kind, vocab, lowercase,
    borrow() {
      const ready = free.pop();
      if (ready) return Promise.resolve(ready);
      if (made < limit) {
        made++;
        return Promise.resolve(make());
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    release(generator) {
      const next = waiting.shift();
      if (next) next(generator);
      else free.push(generator);
    },
  };
}

/** Returns every model the page can write with, each tried once: a folder that does not load says why; runs whose settings.json cannot be read too. */
export async function listModels(): Promise<ModelEntry[]> {
  const out: ModelEntry[] = [];
  for (const e of entries()) {
    let problem: string | null = null;
    try {
      await loadEntry(e.id);
    } catch (err) {
      problem = (err as Error).message;
    }
    out.push({ id: e.id, kind: e.kind, name: e.name, problem });
  }
  for (const lesson of ["tang", "shakespeare"]) {
    for (const sentence of unreadableRuns(lesson)) out.push({ id: `unreadable:${lesson}`, kind: lesson === "tang" ? "tang" : "sonnet", name: `a ${lesson} run`, problem: sentence });
  }
  return out;
}
