import { describe, expect, it } from 'vitest';
import { generatePassword, PASSWORD_ALPHABET } from './passwords.ts';

describe('generatePassword', () => {
  it('has an unambiguous alphabet of letters and digits', () => {
    expect(PASSWORD_ALPHABET).toMatch(/^[A-Za-z0-9]+$/);
    for (const c of '0Oo1lI') expect(PASSWORD_ALPHABET).not.toContain(c);
    expect(new Set(PASSWORD_ALPHABET).size).toBe(PASSWORD_ALPHABET.length);
    expect(PASSWORD_ALPHABET.length).toBe(56);
  });

  it('makes 8 characters by default, and the asked length', () => {
    expect(generatePassword()).toHaveLength(8);
    for (const length of [1, 2, 3, 4, 12, 64, 256]) {
      expect(generatePassword(length)).toHaveLength(length);
    }
  });

  it('uses only the alphabet and always holds a capital and a digit from length 3', () => {
    const allowed = new RegExp(`^[${PASSWORD_ALPHABET}]+$`);
    for (const length of [3, 4, 8]) {
      for (let i = 0; i < 2000; i++) {
        const pw = generatePassword(length);
        expect(pw).toMatch(allowed);
        expect(pw).toMatch(/[A-Z]/);
        expect(pw).toMatch(/[0-9]/);
      }
    }
  });

  it('draws characters roughly uniformly', () => {
    const counts = new Map<string, number>();
    const samples = 4000;
    for (let i = 0; i < samples; i++) {
      for (const c of generatePassword(16)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    // 64,000 draws over 56 characters, about 1,143 each. Requiring a capital and a digit tilts
    // the odds slightly towards them; a chi-square test per class stays far from any bias a
    // broken generator (modulo bias, a missing character) would show.
    expect(counts.size).toBe(PASSWORD_ALPHABET.length);
    for (const group of [/[a-z]/, /[A-Z]/, /[2-9]/]) {
      const observed = [...PASSWORD_ALPHABET]
        .filter((c) => group.test(c))
        .map((c) => counts.get(c)!);
      const mean = observed.reduce((a, b) => a + b, 0) / observed.length;
      const chi2 = observed.reduce((sum, o) => sum + (o - mean) ** 2 / mean, 0);
      // 23 or 7 degrees of freedom: a false alarm at 71 and 41 has odds of about 1e-6 (Wilson-Hilferty).
      expect(chi2).toBeLessThan(observed.length > 8 ? 71 : 41);
      expect(mean).toBeGreaterThan(1000);
      expect(mean).toBeLessThan(1300);
    }
  });

  it('refuses lengths that are not whole numbers from 1 to 256', () => {
    for (const length of [0, -1, 1.5, Number.NaN, 257]) {
      expect(() => generatePassword(length)).toThrow(/length/);
    }
  });
});
