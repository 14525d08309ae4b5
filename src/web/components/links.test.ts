import { describe, expect, it } from 'vitest';
import { splitLinks } from './links.js';

describe('splitLinks', () => {
  it('turns http(s) URLs into links and keeps the rest as text', () => {
    expect(splitLinks('Open https://eks.example.com/setup#token=abc_DEF-123.\nThanks')).toEqual([
      { kind: 'text', value: 'Open ' },
      { kind: 'link', value: 'https://eks.example.com/setup#token=abc_DEF-123', href: 'https://eks.example.com/setup#token=abc_DEF-123' },
      { kind: 'text', value: '.\nThanks' },
    ]);
  });

  it('never links other schemes and stops a URL at markup characters', () => {
    expect(splitLinks('javascript:alert(1) data:text/html,x')).toEqual([{ kind: 'text', value: 'javascript:alert(1) data:text/html,x' }]);
    expect(splitLinks('see http://localhost:8080/a<script>')).toEqual([
      { kind: 'text', value: 'see ' },
      { kind: 'link', value: 'http://localhost:8080/a', href: 'http://localhost:8080/a' },
      { kind: 'text', value: '<script>' },
    ]);
  });

  it('returns text without URLs unchanged', () => {
    expect(splitLinks('')).toEqual([]);
    expect(splitLinks('no links here')).toEqual([{ kind: 'text', value: 'no links here' }]);
  });
});
