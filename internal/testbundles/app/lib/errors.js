export class ValidationError extends Error {
  constructor(field, value, reason) {
    super(`invalid ${field} ${JSON.stringify(value)}: ${reason}`);
    this.name = 'ValidationError';
    this.field = field;
    this.value = value;
  }
}

// Kept as its own function so a stack trace has a named frame inside this module.
export function fail(message, cause) {
  throw new Error(message, { cause });
}

export function describe(error) {
  return error instanceof ValidationError
    ? `⚠️ ${error.field}: ${error.message}`
    : `💥 ${error?.name ?? 'Error'}: ${error?.message ?? String(error)}`;
}
