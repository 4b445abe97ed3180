/* An integer mix in the spirit of CoreMark (but not CoreMark): linked-list reversal and
 * search, a small matrix multiply-accumulate, a byte-driven state machine and a CRC-16,
 * repeated N times. Prints a checksum so a wrong answer cannot look fast. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define LIST_LEN 256
#define MAT 16
#define TEXT_LEN 512

struct node { struct node *next; int32_t value; };

static uint16_t crc16(uint16_t crc, uint8_t byte) {
    crc ^= byte;
    for (int i = 0; i < 8; i++)
        crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
    return crc;
}

static struct node *reverse(struct node *head) {
    struct node *prev = NULL;
    while (head) {
        struct node *next = head->next;
        head->next = prev;
        prev = head;
        head = next;
    }
    return prev;
}

static int32_t list_work(struct node *nodes, int round) {
    struct node *head = NULL;
    for (int i = 0; i < LIST_LEN; i++) {
        nodes[i].value = (i * 7919 + round) & 0xffff;
        nodes[i].next = head;
        head = &nodes[i];
    }
    head = reverse(head);
    int32_t found = 0;
    for (struct node *n = head; n; n = n->next)
        if ((n->value & 15) == (round & 15)) found += n->value;
    return found;
}

static int32_t matrix_work(int32_t a[MAT][MAT], int32_t b[MAT][MAT], int round) {
    int32_t acc = 0;
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            a[i][j] = (i + round) * (j + 1);
            b[i][j] = (i ^ j) - round;
        }
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            int32_t sum = 0;
            for (int k = 0; k < MAT; k++) sum += a[i][k] * b[k][j];
            acc += sum >> 2;
        }
    return acc;
}

/* Classifies characters of a generated text: numbers, words, spaces, others. */
static int32_t state_work(char *text, int round) {
    uint32_t seed = (uint32_t)round * 2654435761u;
    for (int i = 0; i < TEXT_LEN; i++) {
        seed = seed * 1103515245u + 12345u;
        static const char alphabet[] = "0123456789 abcdefxyz.,+-";
        text[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
    }
    enum { START, NUMBER, WORD, OTHER } state = START;
    int32_t counts[4] = {0, 0, 0, 0};
    for (int i = 0; i < TEXT_LEN; i++) {
        char c = text[i];
        switch (state) {
        case START:
            if (c >= '0' && c <= '9') state = NUMBER;
            else if (c >= 'a' && c <= 'z') state = WORD;
            else if (c != ' ') state = OTHER;
            break;
        case NUMBER:
            if (c < '0' || c > '9') { counts[NUMBER]++; state = START; }
            break;
        case WORD:
            if (c < 'a' || c > 'z') { counts[WORD]++; state = START; }
            break;
        case OTHER:
            counts[OTHER]++;
            state = START;
            break;
        }
    }
    return counts[1] * 3 + counts[2] * 5 + counts[3] * 7;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    static struct node nodes[LIST_LEN];
    static int32_t a[MAT][MAT], b[MAT][MAT];
    static char text[TEXT_LEN];
    uint16_t crc = 0xffff;
    for (int round = 0; round < rounds; round++) {
        int32_t parts[3] = {list_work(nodes, round), matrix_work(a, b, round), state_work(text, round)};
        for (int p = 0; p < 3; p++)
            for (int s = 0; s < 32; s += 8) crc = crc16(crc, (uint8_t)(parts[p] >> s));
    }
    printf("intmix %d rounds: crc %04x\n", rounds, crc);
    return 0;
}
