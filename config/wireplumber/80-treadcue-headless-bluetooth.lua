-- WirePlumber 0.4 (Debian 12, Raspberry Pi OS bookworm): Bluetooth audio
-- for a user nobody is logged in as. WirePlumber turns Bluetooth audio
-- on only for the active seat; a Pi by a treadmill, running treadcued in
-- a lingering user session, has no seat at all. This turns that check
-- off for the user whose WirePlumber reads it.
--
-- Install as ~/.config/wireplumber/bluetooth.lua.d/80-treadcue-headless-bluetooth.lua
-- of the user treadcued runs as, then: systemctl --user restart wireplumber
bluez_monitor.properties["with-logind"] = false
