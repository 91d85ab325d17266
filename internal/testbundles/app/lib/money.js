import { ValidationError } from './errors.js';

const symbols = { EUR: '€', USD: '$', JPY: '¥', GBP: '£' };

export class Money {
  #cents;

  constructor(cents, currency = 'EUR') {
    if (!Number.isInteger(cents)) {
      throw new ValidationError('cents', cents, 'must be an integer');
    }
    this.#cents = cents;
    this.currency = currency;
  }

  static parse(text) {
    const match = /^([€$¥£])\s*(\d+)(?:[.,](\d{1,2}))?$/u.exec(text.trim());
    if (!match) {
      throw new ValidationError('money', text, 'expected a symbol and an amount');
    }
    const currency = Object.entries(symbols).find(([, s]) => s === match[1])[0];
    const cents = Number(match[2]) * 100 + Number((match[3] ?? '0').padEnd(2, '0'));
    return new Money(cents, currency);
  }

  get cents() {
    return this.#cents;
  }

  add(other) {
    if (other.currency !== this.currency) {
      throw new ValidationError('currency', other.currency, `cannot add to ${this.currency}`);
    }
    return new Money(this.#cents + other.cents, this.currency);
  }

  toString() {
    const whole = Math.trunc(this.#cents / 100);
    const frac = String(Math.abs(this.#cents % 100)).padStart(2, '0');
    return `${symbols[this.currency] ?? this.currency}${whole}.${frac}`;
  }
}

export const sum = (amounts) => amounts.reduce((total, m) => total.add(m), new Money(0, amounts[0]?.currency));
