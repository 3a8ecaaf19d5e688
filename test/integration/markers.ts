/** Lines `index.ts` prints around the suite, so the launcher can tell its output from the workbench's. */
export const suiteMarkers = {
  begin: '[linetap-tests] suite begins',
  end: '[linetap-tests] suite ends',
} as const;
