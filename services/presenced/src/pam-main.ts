// Entry point of bin/lanctl-pam (pam_exec): everything is in main.ts's pamMain.
import { pamMain } from './main.ts';

await pamMain();
