"""A Richards-style operating-system scheduler: tasks, packets, priorities."""

GROUP = "object"
SIZES = {"quick": 13_000, "full": 190_000}
FUNCTIONS = ["run", "Packet.append_to", "Scheduler.schedule", "Scheduler.wait",
             "Scheduler.hold", "Scheduler.release", "Scheduler.queue_packet",
             "IdleTask.work", "WorkerTask.work", "HandlerTask.work", "DeviceTask.work"]
NUMBA = False

IDLE, WORKER, HANDLER_A, HANDLER_B, DEVICE_A, DEVICE_B = range(6)
KIND_DEVICE, KIND_WORK = 0, 1


class Packet:
    def __init__(self, link, ident, kind):
        self.link = link
        self.ident = ident
        self.kind = kind
        self.datum = 0
        self.data = [0, 0, 0, 0]

    def append_to(self, queue):
        """Append this packet to the list starting at ``queue``; return its head."""
        self.link = None
        if queue is None:
            return self
        p = queue
        while p.link is not None:
            p = p.link
        p.link = self
        return queue


class Task:
    def __init__(self, sched, ident, priority, queue):
        self.sched = sched
        self.ident = ident
        self.priority = priority
        self.queue = queue
        self.held = False
        self.waiting = queue is not None
        self.link = sched.task_list
        sched.task_list = self
        sched.table[ident] = self


class Scheduler:
    def __init__(self):
        self.table = [None] * 6
        self.task_list = None
        self.current = None
        self.hold_count = 0
        self.queue_count = 0
        self.output = 0

    def schedule(self):
        t = self.task_list
        while t is not None:
            if t.held or (t.waiting and t.queue is None):
                t = t.link
                continue
            pkt = None
            if t.waiting:
                pkt = t.queue
                t.queue = pkt.link
                pkt.link = None
                t.waiting = False
            self.current = t
            t = t.work(pkt)

    def wait(self):
        self.current.waiting = True
        return self.current

    def hold(self):
        self.hold_count += 1
        self.current.held = True
        return self.current.link

    def release(self, ident):
        t = self.table[ident]
        t.held = False
        if t.priority > self.current.priority:
            return t
        return self.current

    def queue_packet(self, pkt):
        t = self.table[pkt.ident]
        self.queue_count += 1
        pkt.ident = self.current.ident
        t.queue = pkt.append_to(t.queue)
        if t.priority > self.current.priority:
            return t
        return self.current


class IdleTask(Task):
    def __init__(self, sched, count):
        Task.__init__(self, sched, IDLE, 0, None)
        self.count = count
        self.seed = 1

    def work(self, pkt):
        self.count -= 1
        if self.count == 0:
            return self.sched.hold()
        if self.seed & 1 == 0:
            self.seed >>= 1
            return self.sched.release(DEVICE_A)
        self.seed = (self.seed >> 1) ^ 0xD008
        return self.sched.release(DEVICE_B)


class WorkerTask(Task):
    def __init__(self, sched, queue):
        Task.__init__(self, sched, WORKER, 1000, queue)
        self.dest = HANDLER_A
        self.letter = 0

    def work(self, pkt):
        if pkt is None:
            return self.sched.wait()
        self.dest = HANDLER_B if self.dest == HANDLER_A else HANDLER_A
        pkt.ident = self.dest
        pkt.datum = 0
        for i in range(4):
            self.letter = self.letter % 26 + 1
            pkt.data[i] = self.letter
        return self.sched.queue_packet(pkt)


class HandlerTask(Task):
    def __init__(self, sched, ident, priority, queue):
        Task.__init__(self, sched, ident, priority, queue)
        self.work_packets = None
        self.device_packets = None

    def work(self, pkt):
        if pkt is not None:
            if pkt.kind == KIND_WORK:
                self.work_packets = pkt.append_to(self.work_packets)
            else:
                self.device_packets = pkt.append_to(self.device_packets)
        w = self.work_packets
        if w is not None:
            if w.datum >= 4:
                self.work_packets = w.link
                return self.sched.queue_packet(w)
            d = self.device_packets
            if d is not None:
                self.device_packets = d.link
                d.datum = w.data[w.datum]
                w.datum += 1
                return self.sched.queue_packet(d)
        return self.sched.wait()


class DeviceTask(Task):
    def __init__(self, sched, ident, priority):
        Task.__init__(self, sched, ident, priority, None)
        self.waiting = True
        self.pending = None

    def work(self, pkt):
        if pkt is None:
            if self.pending is None:
                return self.sched.wait()
            p = self.pending
            self.pending = None
            return self.sched.queue_packet(p)
        self.pending = pkt
        self.sched.output = (self.sched.output * 29 + pkt.datum * self.ident) % 1_000_003
        return self.sched.hold()


def run(n):
    sched = Scheduler()
    IdleTask(sched, n)
    work = Packet(None, WORKER, KIND_WORK)
    work = Packet(work, WORKER, KIND_WORK)
    WorkerTask(sched, work)
    queue = None
    for _ in range(3):
        queue = Packet(queue, DEVICE_A, KIND_DEVICE)
    HandlerTask(sched, HANDLER_A, 2000, queue)
    queue = None
    for _ in range(3):
        queue = Packet(queue, DEVICE_B, KIND_DEVICE)
    HandlerTask(sched, HANDLER_B, 3000, queue)
    DeviceTask(sched, DEVICE_A, 4000)
    DeviceTask(sched, DEVICE_B, 5000)
    sched.schedule()
    return sched.queue_count, sched.hold_count, sched.output
