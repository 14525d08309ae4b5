// Device kinds, media and key states in the user's language; a value the UI does not know yet
// (a newer server) is shown as the server sent it rather than hidden.
import type { TFunction } from 'i18next';
import { deviceKinds, keyStates, media } from '../../../shared/inventory/device-fields.js';

export function kindText(t: TFunction, value: string): string {
  const kind = deviceKinds.find((k) => k === value);
  return kind === undefined ? value : t(`vocabulary.kind.${kind}`);
}

export function mediumText(t: TFunction, value: string | null): string {
  if (value === null) return t('vocabulary.none');
  const medium = media.find((m) => m === value);
  return medium === undefined ? value : t(`vocabulary.medium.${medium}`);
}

export function keyStateText(t: TFunction, value: string): string {
  const state = keyStates.find((s) => s === value);
  return state === undefined ? value : t(`vocabulary.keyState.${state}`);
}

export function badgeForKeyState(state: string): 'ok' | 'bad' | 'neutral' {
  if (state === 'active') return 'ok';
  if (state === 'compromised' || state === 'destroyed') return 'bad';
  return 'neutral';
}
