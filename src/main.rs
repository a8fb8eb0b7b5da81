use clap::Parser;

use greenq::cli::Cli;

fn main() {
    let cli = Cli::parse();
    let code = match greenq::run(&cli) {
        Ok(code) => code,
        Err(err) => greenq::exit::report(&err),
    };
    std::process::exit(code.code());
}
