// The tidemark executable: everything happens in commands::Run.
#include "commands/cli.h"

int main(int argc, char** argv) { return tidemark::commands::Run(argc, argv); }
