// `npm start`: the compiled server (dist/) with NODE_ENV=production, the TypeScript through tsx otherwise.
import { launch } from './launch.js';

await launch('main', process.env.NODE_ENV === 'production' ? 'always' : 'never');
