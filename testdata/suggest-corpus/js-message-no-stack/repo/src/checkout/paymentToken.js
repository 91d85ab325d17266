import * as Sentry from '@sentry/react';
import { createToken } from '../api/payments';

// Asks the payment provider for a token; an empty token is reported, not thrown.
export async function paymentToken(card) {
  const { token } = await createToken(card);
  if (!token) {
    Sentry.captureMessage('Checkout: payment provider returned an empty token', 'warning');
    return null;
  }
  return token;
}

export function maskCard(number) {
  return number.replace(/\d(?=\d{4})/g, '•');
}
