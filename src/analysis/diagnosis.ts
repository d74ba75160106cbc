// The diagnosis: from observed facts to a verdict, its cause in one sentence, the fix that
// applies and the notes beside it. Composes the rules of verdict.ts and time-verdict.ts. Pure.
import type { DiagnosisFacts } from './facts.js';
import { diagnosisNotes } from './notes.js';
import { streamVerdict } from './streams.js';
import { timeVerdict } from './time-verdict.js';
import { spreadVerdict, unreadableVerdict } from './verdict.js';
import type { Diagnosis } from '../result/report.js';

/**
 * Applies the rules in order: whether the run can be read at all (UNSTABLE, UNKNOWN), then
 * what its time facts say (a stop, a new address, a late joiner, reconnections), then the
 * spread (PINNED, UNKNOWN with too few RPCs, PARTIAL, BALANCED). The first that applies wins.
 * A streaming call's spread is the stream verdict (src/analysis/streams.ts).
 */
export function diagnose(facts: DiagnosisFacts): Diagnosis {
  const notes = diagnosisNotes(facts);
  const unreadable = unreadableVerdict(facts, notes);
  if (unreadable !== null) return unreadable;
  // A stream is placed once: its verdict reads the streams, not the messages' timeline.
  const streams = facts.streams ?? null;
  if (streams !== null) return streamVerdict(facts, streams, notes);
  return timeVerdict(facts, notes) ?? spreadVerdict(facts, notes);
}
