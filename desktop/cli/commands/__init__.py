"""One module per noun of the command line (`waymark NOUN ...`), as git has a file per builtin.

Each module has `register(subparsers)`, which adds its parser(s) and sets
`handler(args, app, out)` (run with the profile open) or
`without_profile(args, data_dir, out)` (init, passwd, app: they open or make
the profile themselves) as the parser's defaults.
"""
