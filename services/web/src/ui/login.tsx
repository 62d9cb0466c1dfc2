import { type FormEvent, useEffect, useRef, useState } from 'react';
import { errorText, login } from './api.ts';
import { Dialog } from './users/dialogs.tsx';

/** One login page for everyone: udb accounts; the answer sets the session cookie. */
export function LoginPage({ onLoggedIn }: { onLoggedIn: () => Promise<void> }) {
  return (
    <main className="login">
      <div className="card">
        <h1 id="login-title">lanctl</h1>
        <p className="muted">Log in with your contest account.</p>
        <LoginForm onLoggedIn={onLoggedIn} />
      </div>
    </main>
  );
}

/**
 * The session ended while the page was open (expired after udb's `session_ttl_seconds`, or its
 * cookie gone: logged out in another tab): logging in again here keeps the page as it was, open
 * forms and what was typed in them.
 */
export function SessionEndedDialog(props: {
  subject: string;
  onLoggedIn: () => Promise<void>;
  onLeave: () => void;
}) {
  return (
    <Dialog title="Your session ended" onClose={props.onLeave} mustAnswer>
      <p>
        Log in again to go on: the page stays as it is, and what you typed is kept. Send the form
        you were filling in again once you are back.
      </p>
      <LoginForm initialLogin={props.subject} onLoggedIn={props.onLoggedIn} />
      <p>
        <button type="button" onClick={props.onLeave}>
          Leave this page
        </button>
      </p>
    </Dialog>
  );
}

function LoginForm(props: { initialLogin?: string; onLoggedIn: () => Promise<void> }) {
  const [name, setName] = useState(props.initialLogin ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  const secret = useRef<HTMLInputElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, on opening
  useEffect(() => (props.initialLogin ? secret : first).current?.focus(), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await login(name.trim(), password);
      await props.onLoggedIn();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label="Log in" className="login-form">
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
        ref={secret}
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
  );
}
