import type { RunState } from './run-state.js';
import type { StageContext } from './stage.js';
import { saveState } from './state-file.js';

export type StageRecords = Pick<StageContext, 'registerTemporary' | 'unregisterTemporary' | 'recordCandidate' | 'recordUndoFile'>;

/**
 * The record hooks of a StageContext, writing into `state` and saving its `state.json` before they
 * return — so a thing is on record before the caller creates it, and a crash right after still
 * leaves its record for the next run's cleanup (`cleanLeftovers`, `recoverCrashedCandidates`).
 */
export function recordsInto(state: RunState): StageRecords {
  return {
    registerTemporary(kind, path, detail) {
      state.temporaries.push({ ...detail, kind, path });
      saveState(state);
    },
    unregisterTemporary(kind, path) {
      state.temporaries = state.temporaries.filter((t) => !(t.kind === kind && t.path === path));
      saveState(state);
    },
    recordCandidate(candidate) {
      state.candidates = [...state.candidates.filter((c) => c.branch !== candidate.branch), { ...candidate }];
      saveState(state);
    },
    recordUndoFile(file) {
      state.undoFiles = [...state.undoFiles.filter((f) => f.path !== file.path), file];
      saveState(state);
    },
  };
}
