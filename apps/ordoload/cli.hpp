// ordoload's command line: options, the run, progress, report, exit code.
#pragma once

namespace ordo::load {

// 0 when the run completed and verification passed; 1 when verification failed; 2 for a
// usage error; 3 when the target could not be reached; 4 when the --plot could not be drawn.
int run_cli(int argc, char** argv);

} // namespace ordo::load
