// The entry point (dist/main.js). It installs the signal handlers before anything else loads:
// an ES module graph is loaded whole before any of it runs, and loading Nest, TypeORM and their
// dependencies takes a second or more, during which a SIGTERM would otherwise end the process by
// the signal instead of a graceful stop and exit 0 (@tradetally/database/stop-signals: a subpath that loads nothing else).
import '@tradetally/database/stop-signals';

await import('./start.js');
