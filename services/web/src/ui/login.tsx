import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, login } from './api.ts';

/** One login page for everyone: udb accounts; the answer sets the session cookie. */
export function LoginPage({ onLoggedIn }: { onLoggedIn: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await login(name.trim(), password);
      await onLoggedIn();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'the server did not answer');
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form onSubmit={submit} aria-labelledby="login-title" className="card">
        <h1 id="login-title">lanctl</h1>
        <p className="muted">Log in with your contest account.</p>
        <label htmlFor="login-name">Login</label>
        <input
          id="login-name"
          ref={first}
          name="login"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
