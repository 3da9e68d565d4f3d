document.title = 'TradeTally Keys';
