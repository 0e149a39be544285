// What a renderer may vary on besides the tree.

export interface RenderOptions {
  /**
   * Print the `TAP version` / `KTAP version` header. kselftest drops it when
   * KSFT_TAP_LEVEL is set, so a nested producer does not print a second one.
   */
  versionLine: boolean;
}

export function renderOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): RenderOptions {
  return { versionLine: env['KSFT_TAP_LEVEL'] === undefined };
}
