// A resource the xDS client refused (NACKed): said in the diagnosis notes, with what it kept.
import type { RunResult } from '../result/run-result.js';

/**
 * One note per NACKed resource in the run's CSDS view: its type and name, the refused version and
 * the client's reason, and the version it kept (or that it has none, so it cannot use it). Empty
 * for a run that is not xDS or refused nothing.
 */
export function xdsNackNotes(result: RunResult): string[] {
  return (result.xds?.resources ?? []).flatMap((resource) => {
    if (resource.nack === null) return [];
    const kept = resource.version === '' ? 'it has no version it accepted, so it cannot use this resource' : `it keeps version ${resource.version}`;
    return [`xDS: the client NACKed ${resource.kind} ${resource.name} version ${resource.nack.version} (${resource.nack.details}); ${kept}`];
  });
}
