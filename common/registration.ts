/**
 * Who is registering environments and estimators right now: 'built in' while pgvar's own modules
 * load, a plug-in's file while the plug-in loader (experiment/plugins.ts) runs it, 'the program'
 * for code that calls `registerEnv`/`registerEstimator` itself. The registries record it, so a
 * clash names both sides ("estimator 'mine' is already registered by plugin ./a.js").
 */
let current = 'the program';

export function registrationSource(): string {
  return current;
}

/** Set the source for the registrations that follow (the loader sets it per plug-in and restores it). */
export function setRegistrationSource(source: string): string {
  const before = current;
  current = source;
  return before;
}

/** Names that work as ids on the command line and in run directory names (no commas or spaces). */
export const REGISTRY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.\/-]*$/;
