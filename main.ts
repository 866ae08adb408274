import { App } from 'cdktf';
import { addStacks } from './stacks/app';

const app = new App();
try {
  addStacks(app);
} catch (error) {
  // A configuration error is for the person running cdktf: its message, not a stack trace.
  console.error((error as Error).message);
  process.exit(1);
}
app.synth();
