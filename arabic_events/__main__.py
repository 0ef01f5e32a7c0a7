from arabic_events.cli import main

main()
