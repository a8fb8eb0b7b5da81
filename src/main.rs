use clap::Parser;

use greenq::cli::{Cli, usage_error};

fn main() {
    // Not a user's command line: `tail --exec` starting its keeper.
    if let Some(code) = greenq::consumer::exec_keeper::main_if_called() {
        std::process::exit(code);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => match usage_error(&e) {
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
