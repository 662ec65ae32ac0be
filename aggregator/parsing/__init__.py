"""Pure parsing helpers that adapters call (iCalendar, feeds, HTML, Norwegian dates); no I/O."""
