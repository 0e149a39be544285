// The loader's resource limits: hostile or broken input gets a positioned error
// instead of exhausting memory, the stack or the clock. Every limit is far above what
// a hand-written board or suite needs (the shipped ones stay under 20 KiB, depth 10).

/** bytes in one board or suite file */
export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_FILE_TEXT = '1 MiB';

/** nesting of maps and lists, counted through aliases */
export const MAX_DEPTH = 64;

/** values in a document once its aliases are expanded (guards against alias bombs) */
export const MAX_EXPANDED_VALUES = 100_000;

/** scenarios in one suite file */
export const MAX_SCENARIOS = 1000;

/** runs one suite compiles to (scenario × board × kernel × for-each device) */
export const MAX_RUNS_PER_SUITE = 10_000;

/** bytes one probe or remove action may allocate, map or transfer */
export const MAX_ACTION_BYTES = 64 * 1024 * 1024;
export const MAX_ACTION_TEXT = '64 MiB';

/** characters in one regex pattern */
export const MAX_REGEX_LENGTH = 1000;

/** Limits as the CLI help and README state them. */
export const LIMITS_HELP = `limits: a file is at most ${MAX_FILE_TEXT}, nests at most ${MAX_DEPTH} levels and
expands its YAML aliases to at most ${MAX_EXPANDED_VALUES} values; a suite has at most
${MAX_SCENARIOS} scenarios and compiles to at most ${MAX_RUNS_PER_SUITE} runs; one probe action
allocates at most ${MAX_ACTION_TEXT}; names are at most 256 characters; a regex is at most
${MAX_REGEX_LENGTH} characters and is matched in linear time (RE2: no backreferences or
lookaround), a glob likewise without backtracking.
`;
