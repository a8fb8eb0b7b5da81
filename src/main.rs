use clap::Parser;

use greenq::cli::Cli;

fn main() {
    let cli = Cli::parse();
    let code = match greenq::run(&cli) {
        Ok(code) => code.code(),
        Err(e) => {
            if !e.silent {
                eprintln!("greenq: error: {e}");
            }
            e.code.code()
        }
    };
    std::process::exit(code);
}
