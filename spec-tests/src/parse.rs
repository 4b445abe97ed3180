//! Parsing `.wast` source into directives.

use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{Wast, WastDirective};

/// A parse error located in the source.
pub(crate) struct ParseError {
    pub(crate) line: usize,
    pub(crate) message: String,
}

impl ParseError {
    fn new(error: &wast::Error, source: &str) -> ParseError {
        ParseError {
            line: error.span().linecol_in(source).0 + 1,
            message: error.message(),
        }
    }
}

/// Lexes `source`. The official suite contains bidirectional-override characters inside
/// strings on purpose (e.g. `names.wast`), so "confusing" Unicode is allowed.
pub(crate) fn buffer(source: &str) -> Result<ParseBuffer<'_>, ParseError> {
    let mut lexer = Lexer::new(source);
    lexer.allow_confusing_unicode(true);
    ParseBuffer::new_with_lexer(lexer).map_err(|e| ParseError::new(&e, source))
}

/// All directives of a lexed script.
pub(crate) fn directives<'a>(
    buffer: &'a ParseBuffer<'a>,
    source: &str,
) -> Result<Vec<WastDirective<'a>>, ParseError> {
    parser::parse::<Wast<'a>>(buffer)
        .map(|wast| wast.directives)
        .map_err(|e| ParseError::new(&e, source))
}
