import { App } from 'cdktf';
import { addStacks } from './stacks/app';

const app = new App();
addStacks(app);
app.synth();
