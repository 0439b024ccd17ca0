'''A fake bluetoothd with a treadmill, a walking pad and a heart-rate strap.

python3-dbusmock's bluez5 template mocks adapters and devices only; this
template adds what treadcue's tests need on top of it: devices offering
the Fitness Machine Service (a treadmill, a walking pad) or the Heart
Rate Service (a strap), with their GATT services and characteristics as
BlueZ shows them (GattService1, GattCharacteristic1 with ReadValue,
WriteValue, StartNotify and Value changes), and test controls on
org.bluez.Mock:

  AddTreadmill(adapter, address, name) -> path
      speed and incline targets (Fitness Machine Feature 0x2ACC), speed
      range 0.8-20 km/h by 0.1, incline range 0-15 % by 0.5
  AddWalkingPad(adapter, address, name) -> path
      the features a FITSHOW FS-BT-T4 pad reports (github.com/justintout/
      treadmill, README): a speed target and no incline target; Set
      Target Inclination is answered "Op Code not supported" (80 03 02)
  AddHeartStrap(adapter, address, name) -> path
  Notify(address, uuid, bytes)     a notification, if the client subscribed
  Vanish(address)                  out of range: disconnected, services gone,
                                   connecting fails until Return(address)
  Return(address)
  SetControlAnswer(address, code)  the result code the control point answers
                                   with (1 success, 5 not permitted, 0 none)
  HoldNotify(address, uuid)        another program holds the characteristic
                                   (AcquireNotify): StartNotify is answered
                                   NotPermitted "Notify acquired", as
                                   characteristic_start_notify() does in
                                   bluez src/gatt-client.c
  ConnectSlowly(address)           bluetoothd is connecting it already: the
                                   next Connect is answered InProgress
                                   (dev_connect() in src/device.c) and the
                                   device connects half a second later
  SetFeatures(address, bytes)      the Fitness Machine Feature it reports
                                   (read when it next connects): machines
                                   report more than they do
  BusyWrites(address, count)       the next writes are answered InProgress,
                                   another client's being under way
                                   (characteristic_write_value())

The control point answers as the Fitness Machine Service v1.0.1 says
(4.16.2.22): a Start or Resume while the belt runs, or a Stop or Pause
while it stands, is answered "Operation Failed". A write that sets the
speed is answered, then the belt "follows": a Treadmill Data notification
with the new speed. Status notifications (0x2ADA) are the test's to send
with Notify: as 4.17.1 says, a machine tells a client's own change only
to the other clients.
'''

import dbus
from gi.repository import GLib

from dbusmock import OBJECT_MANAGER_IFACE, mockobject
from dbusmock.templates import bluez5
from dbusmock.templates.bluez5 import *  # noqa: F401,F403 (the template's methods)

BUS_NAME = bluez5.BUS_NAME
MAIN_OBJ = bluez5.MAIN_OBJ
SYSTEM_BUS = True
IS_OBJECT_MANAGER = True

DEVICE = 'org.bluez.Device1'
SERVICE = 'org.bluez.GattService1'
CHARACTERISTIC = 'org.bluez.GattCharacteristic1'
PROPERTIES = 'org.freedesktop.DBus.Properties'

FTMS = '00001826-0000-1000-8000-00805f9b34fb'
FEATURE = '00002acc-0000-1000-8000-00805f9b34fb'
TREADMILL_DATA = '00002acd-0000-1000-8000-00805f9b34fb'
SPEED_RANGE = '00002ad4-0000-1000-8000-00805f9b34fb'
INCLINE_RANGE = '00002ad5-0000-1000-8000-00805f9b34fb'
CONTROL_POINT = '00002ad9-0000-1000-8000-00805f9b34fb'
MACHINE_STATUS = '00002ada-0000-1000-8000-00805f9b34fb'
HEART_RATE = '0000180d-0000-1000-8000-00805f9b34fb'
HEART_MEASUREMENT = '00002a37-0000-1000-8000-00805f9b34fb'

# Supported Speed Range: 0.80 to 20.00 km/h in steps of 0.10.
RANGE_BYTES = [0x50, 0x00, 0xd0, 0x07, 0x0a, 0x00]
# Supported Inclination Range: 0.0 to 15.0 % in steps of 0.5.
INCLINE_BYTES = [0x00, 0x00, 0x96, 0x00, 0x05, 0x00]
# Fitness Machine Feature: total distance, inclination, heart rate,
# elapsed time; speed and inclination targets.
TREADMILL_FEATURES = [0x0c, 0x14, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00]
# A FITSHOW walking pad: distance, step count, resistance, energy, heart
# rate, elapsed time, power; speed, resistance and power targets.
PAD_FEATURES = [0xc4, 0x56, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00]
# 1.0 to 6.0 km/h in steps of 0.1.
PAD_RANGE_BYTES = [0x64, 0x00, 0x58, 0x02, 0x0a, 0x00]

GATT = {
    'treadmill': (FTMS, [
        (FEATURE, ['read'], TREADMILL_FEATURES),
        (TREADMILL_DATA, ['notify'], []),
        (SPEED_RANGE, ['read'], RANGE_BYTES),
        (INCLINE_RANGE, ['read'], INCLINE_BYTES),
        (CONTROL_POINT, ['write', 'indicate'], []),
        (MACHINE_STATUS, ['notify'], []),
    ]),
    'walking_pad': (FTMS, [
        (FEATURE, ['read'], PAD_FEATURES),
        (TREADMILL_DATA, ['notify'], []),
        (SPEED_RANGE, ['read'], PAD_RANGE_BYTES),
        (CONTROL_POINT, ['write', 'indicate'], []),
        (MACHINE_STATUS, ['notify'], []),
    ]),
    'heart': (HEART_RATE, [
        (HEART_MEASUREMENT, ['notify'], []),
    ]),
}


def load(mock, parameters):
    bluez5.load(mock, parameters)


def device_path(address):
    for path, obj in mockobject.objects.items():
        props = obj.props.get(DEVICE)
        if props and str(props['Address']).upper() == address.upper():
            return path
    raise dbus.exceptions.DBusException(f'no device {address}',
                                        name='org.bluez.Mock.NoSuchDevice')


def characteristic(address, uuid):
    prefix = device_path(address) + '/'
    for path, obj in mockobject.objects.items():
        props = obj.props.get(CHARACTERISTIC)
        if path.startswith(prefix) and props and str(props['UUID']) == uuid:
            return obj
    raise dbus.exceptions.DBusException(f'{address} has no {uuid}',
                                        name='org.bluez.Mock.NoSuchCharacteristic')


def changed(obj, interface, properties):
    for name, value in properties.items():
        obj.props[interface][name] = value
    obj.EmitSignal(PROPERTIES, 'PropertiesChanged', 'sa{sv}as',
                   [interface, properties, []])


def send_value(obj, value):
    '''A notification or indication, sent only to a client listening.'''
    obj.props[CHARACTERISTIC]['Value'] = dbus.Array(value, signature='y')
    if obj.props[CHARACTERISTIC]['Notifying']:
        obj.EmitSignal(PROPERTIES, 'PropertiesChanged', 'sa{sv}as', [
            CHARACTERISTIC,
            {'Value': dbus.Array(value, signature='y', variant_level=1)},
            [],
        ])


@dbus.service.method(CHARACTERISTIC, in_signature='a{sv}', out_signature='ay')
def ReadValue(char, _options):
    return char.props[CHARACTERISTIC]['Value']


@dbus.service.method(CHARACTERISTIC, in_signature='', out_signature='')
def StartNotify(char):
    device = mockobject.objects[char.device_path]
    if str(char.props[CHARACTERISTIC]['UUID']) in getattr(device, 'held', set()):
        raise dbus.exceptions.DBusException('Notify acquired', name='org.bluez.Error.NotPermitted')
    changed(char, CHARACTERISTIC, {'Notifying': dbus.Boolean(True, variant_level=1)})


@dbus.service.method(CHARACTERISTIC, in_signature='', out_signature='')
def StopNotify(char):
    changed(char, CHARACTERISTIC, {'Notifying': dbus.Boolean(False, variant_level=1)})


@dbus.service.method(CHARACTERISTIC, in_signature='aya{sv}', out_signature='')
def WriteValue(char, value, _options):
    device = mockobject.objects[char.device_path]
    if device.busy_writes > 0:
        device.busy_writes -= 1
        raise dbus.exceptions.DBusException('Operation already in progress',
                                            name='org.bluez.Error.InProgress')
    written = [int(b) for b in value]
    device.written.append(written)
    answer = device.control_answer
    if answer == 1:
        answer = outcome(device, written)
    if answer:
        send_value(char, [0x80, written[0], answer])
    if answer == 1 and written[0] == 0x02 and len(written) == 3:
        # The belt follows the speed it was set to.
        data = characteristic(str(device.props[DEVICE]['Address']), TREADMILL_DATA)
        send_value(data, [0x00, 0x00, written[1], written[2]])


def outcome(device, written):
    '''How the machine answers a request it is allowed to take.'''
    opcode = written[0]
    if opcode == 0x03 and device.kind == 'walking_pad':
        return 2  # Op Code not supported
    if opcode == 0x07:
        already, device.running = device.running, True
        return 4 if already else 1  # Operation Failed: already started
    if opcode == 0x08:
        already, device.running = not device.running, False
        return 4 if already else 1  # Operation Failed: already stopped
    return 1


def add_gatt(device_path_, kind):
    service_uuid, chars = GATT[kind]
    manager = mockobject.objects['/']
    service = device_path_ + '/service0010'
    service_props = {
        'UUID': dbus.String(service_uuid, variant_level=1),
        'Primary': dbus.Boolean(True, variant_level=1),
        'Device': dbus.ObjectPath(device_path_, variant_level=1),
    }
    manager.AddObject(service, SERVICE, service_props, [])
    manager.EmitSignal(OBJECT_MANAGER_IFACE, 'InterfacesAdded', 'oa{sa{sv}}',
                       [dbus.ObjectPath(service), {SERVICE: service_props}])
    device = mockobject.objects[device_path_]
    for index, (uuid, flags, value) in enumerate(chars):
        if uuid == FEATURE and getattr(device, 'features', None):
            value = device.features
        path = f'{service}/char{0x11 + 2 * index:04x}'
        props = {
            'UUID': dbus.String(uuid, variant_level=1),
            'Service': dbus.ObjectPath(service, variant_level=1),
            'Flags': dbus.Array(flags, signature='s', variant_level=1),
            'Notifying': dbus.Boolean(False, variant_level=1),
            'Value': dbus.Array(value, signature='y', variant_level=1),
        }
        manager.AddObject(path, CHARACTERISTIC, props, [
            ('ReadValue', 'a{sv}', 'ay', ReadValue),
            ('WriteValue', 'aya{sv}', '', WriteValue),
            ('StartNotify', '', '', StartNotify),
            ('StopNotify', '', '', StopNotify),
        ])
        mockobject.objects[path].device_path = device_path_
        manager.EmitSignal(OBJECT_MANAGER_IFACE, 'InterfacesAdded', 'oa{sa{sv}}',
                           [dbus.ObjectPath(path), {CHARACTERISTIC: props}])


def remove_gatt(device_path_):
    manager = mockobject.objects['/']
    gone = sorted((p for p in mockobject.objects if p.startswith(device_path_ + '/')),
                  reverse=True)
    for path in gone:
        interfaces = [i for i in mockobject.objects[path].props if i in (SERVICE, CHARACTERISTIC)]
        manager.RemoveObject(path)
        manager.EmitSignal(OBJECT_MANAGER_IFACE, 'InterfacesRemoved', 'oas',
                           [dbus.ObjectPath(path), interfaces])


@dbus.service.method(DEVICE, in_signature='', out_signature='')
def Connect(device):
    if device.connect_slowly:
        device.connect_slowly = False

        def connected():
            Connect(device)
            return False
        GLib.timeout_add(500, connected)
        raise dbus.exceptions.DBusException('Operation already in progress',
                                            name='org.bluez.Error.InProgress')
    if device.absent:
        raise dbus.exceptions.DBusException('le-connection-abort-by-local',
                                            name='org.bluez.Error.Failed')
    if device.props[DEVICE]['Connected']:
        raise dbus.exceptions.DBusException('Already Connected',
                                            name='org.bluez.Error.AlreadyConnected')
    if not any(p.startswith(device.path + '/') for p in mockobject.objects):
        add_gatt(device.path, device.kind)
    changed(device, DEVICE, {'Connected': dbus.Boolean(True, variant_level=1)})
    changed(device, DEVICE, {'ServicesResolved': dbus.Boolean(True, variant_level=1)})


@dbus.service.method(DEVICE, in_signature='', out_signature='')
def Disconnect(device):
    changed(device, DEVICE, {'ServicesResolved': dbus.Boolean(False, variant_level=1)})
    changed(device, DEVICE, {'Connected': dbus.Boolean(False, variant_level=1)})


def add_fitness_device(self, adapter, address, name, kind):
    path = bluez5.AddDevice(self, adapter, address, name)
    device = mockobject.objects[path]
    service_uuid = GATT[kind][0]
    device.props[DEVICE]['UUIDs'] = dbus.Array([service_uuid], signature='s', variant_level=1)
    device.AddMethods(DEVICE, [('Connect', '', '', Connect), ('Disconnect', '', '', Disconnect)])
    device.kind = kind
    device.absent = False
    device.written = []
    device.control_answer = 1
    device.running = False
    device.busy_writes = 0
    device.connect_slowly = False
    return path


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='sss', out_signature='s')
def AddTreadmill(self, adapter, address, name):
    return add_fitness_device(self, adapter, address, name, 'treadmill')


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='sss', out_signature='s')
def AddWalkingPad(self, adapter, address, name):
    return add_fitness_device(self, adapter, address, name, 'walking_pad')


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='sss', out_signature='s')
def AddHeartStrap(self, adapter, address, name):
    return add_fitness_device(self, adapter, address, name, 'heart')


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='ssay', out_signature='')
def Notify(_self, address, uuid, value):
    send_value(characteristic(address, uuid), [int(b) for b in value])


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='s', out_signature='')
def Vanish(_self, address):
    device = mockobject.objects[device_path(address)]
    device.absent = True
    changed(device, DEVICE, {'ServicesResolved': dbus.Boolean(False, variant_level=1)})
    changed(device, DEVICE, {'Connected': dbus.Boolean(False, variant_level=1)})
    remove_gatt(device.path)


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='s', out_signature='')
def Return(_self, address):
    mockobject.objects[device_path(address)].absent = False


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='sy', out_signature='')
def SetControlAnswer(_self, address, code):
    mockobject.objects[device_path(address)].control_answer = int(code)


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='ss', out_signature='')
def HoldNotify(_self, address, uuid):
    device = mockobject.objects[device_path(address)]
    device.held = getattr(device, 'held', set()) | {uuid}


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='s', out_signature='')
def ConnectSlowly(_self, address):
    mockobject.objects[device_path(address)].connect_slowly = True


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='say', out_signature='')
def SetFeatures(_self, address, value):
    mockobject.objects[device_path(address)].features = [int(b) for b in value]


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='su', out_signature='')
def BusyWrites(_self, address, count):
    mockobject.objects[device_path(address)].busy_writes = int(count)


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='s', out_signature='aay')
def ControlWrites(_self, address):
    '''Every control point write, in order.'''
    return dbus.Array([dbus.Array(w, signature='y') for w in
                       mockobject.objects[device_path(address)].written], signature='ay')
