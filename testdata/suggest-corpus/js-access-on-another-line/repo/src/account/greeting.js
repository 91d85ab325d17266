import { formatName } from '../lib/names';

// The greeting in the account menu.
export function greeting(user, now = new Date()) {
  const hour = now.getHours();
  const part = hour < 12 ? 'morning' : hour < 18 ? 'afternoon' : 'evening';
  const city = user
    .profile
    .address.city;
  return `Good ${part}, ${formatName(user)}${city ? ` from ${city}` : ''}`;
}

export function initials(user) {
  return formatName(user)
    .split(' ')
    .map((p) => p[0])
    .join('');
}
