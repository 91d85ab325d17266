const lines = [];

export function log(scope, ...parts) {
  const line = `[${scope}] ${parts.join(' ')}`;
  lines.push(line);
  console.log(line);
}

export const history = () => lines.slice();
