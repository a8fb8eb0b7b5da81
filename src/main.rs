use clap::Parser;

use greenq::cli::{Cli, usage_error};

fn main() {
    // Not a user's command line: `tail --exec` starting its keeper.
    if let Some(code) = greenq::consumer::exec_keeper::main_if_called() {
        std::process::exit(code);
    }
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => match usage_error(&e, &args) {
            Some(line) => {
                greenq::ewriteln!("greenq: error: {line}");
                std::process::exit(greenq::exit::ExitCode::Usage.code());
            }
            None => e.exit(),
        },
    };
    let code = match greenq::run(&cli) {
        Ok(code) => code,
        Err(err) => greenq::exit::report(&err),
    };
    std::process::exit(code.code());
}
