/**
 * Whether the CLI colours what it writes to a stream: only on a terminal, and never when
 * NO_COLOR is set to anything non-empty (https://no-color.org). Like `isTTY`, NO_COLOR is a
 * property of the user's terminal, not opsloop configuration, so it is read here at the edge
 * rather than through the config schema.
 */
export function useColour(
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}
